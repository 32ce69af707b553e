#include "playback/playbacksource.h"

namespace earshot {

PlaybackSource::~PlaybackSource() = default;

} // namespace earshot
