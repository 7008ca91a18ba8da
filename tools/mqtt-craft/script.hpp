// Script files: one packet a line, in the command line's syntax.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::craft {

/// One non-empty script line split into arguments.
struct ScriptLine {
    std::size_t number;  ///< 1-based line number
    std::vector<std::string> args;
};

/// Splits `text` into lines and each line into arguments, as a shell would for simple input:
/// blanks separate; '...' keeps everything literally; "..." keeps everything but \" and \\;
/// outside quotes a backslash is kept as typed (so field escapes such as \xff pass through);
/// an unquoted '#' at the start of an argument begins a comment. Blank lines are skipped.
/// An unterminated quote throws UsageError naming `name` and the line.
std::vector<ScriptLine> split_script(std::string_view text, std::string_view name);

/// Reads a whole script: a file, or stdin for "-". Throws UsageError when unreadable.
std::string read_script(const std::string& path);

}  // namespace mqttlens::craft
