#pragma once
// Logging set-up: spdlog to stderr, human-readable text or one JSON object per line.
#include <string_view>

#include "core/error.hpp"

namespace hearth::core {

enum class LogFormat { kText, kJson };

//! Configures the default spdlog logger. `level` is trace|debug|info|warn|error|off.
Result<void> setupLogging(LogFormat format, std::string_view level);

} // namespace hearth::core
