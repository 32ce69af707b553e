#include "playback/playbackengine.h"

namespace earshot {

PlaybackEngine::~PlaybackEngine() = default;

void PlaybackEngine::togglePlayPause()
{
    if (state() == State::Playing)
        pause();
    else
        play();
}

} // namespace earshot
