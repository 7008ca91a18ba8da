// The committed lists of rule IDs the tests compare against (tests/mqtt/data/single-packet-rules.txt,
// tests/probe/data/rules-3.1.1.txt, tests/probe/data/rules-5.0.txt), read the same way everywhere.
#pragma once

#include <fstream>
#include <set>
#include <string>

namespace mqttlens::test {

/// The IDs of the committed rule list at `path`: one per line, `#` comments; empty if unreadable.
inline std::set<std::string> read_rule_list(const std::string& path) {
    std::set<std::string> ids;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#') ids.insert(line);
    return ids;
}

}  // namespace mqttlens::test
