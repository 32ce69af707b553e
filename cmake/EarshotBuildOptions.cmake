# One INTERFACE target carries the language level, the warnings and the strict Qt
# defines, so every project target opts in by linking it and third-party code does not.
add_library(earshot_build_options INTERFACE)
add_library(Earshot::BuildOptions ALIAS earshot_build_options)

target_compile_features(earshot_build_options INTERFACE cxx_std_20)

target_compile_options(earshot_build_options INTERFACE
    -Wall -Wextra -Wpedantic
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wconversion -Wno-sign-conversion
    -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations
    $<$<BOOL:${EARSHOT_WERROR}>:-Werror>)

target_compile_definitions(earshot_build_options INTERFACE
    # Every string crossing the char*/QString boundary says its encoding.
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_RESTRICTED_CAST_FROM_ASCII_DISABLED
    QT_USE_QSTRINGBUILDER
    # Signals and slots spelled as macros; no ambiguous keywords; connect() always has a context.
    QT_NO_KEYWORDS
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_FOREACH
    QT_NO_JAVA_STYLE_ITERATORS
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    QT_MESSAGELOGCONTEXT
    EARSHOT_VERSION="${PROJECT_VERSION}")
