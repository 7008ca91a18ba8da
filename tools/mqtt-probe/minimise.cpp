// ddmin (Zeller and Hildebrandt) on complements only: split into n chunks, keep any chunk's removal
// that still fails, and refine the split when none does.
#include "minimise.hpp"

#include <algorithm>

namespace mqttlens::probe {

namespace {

/// ddmin over the elements of `items`; `fails(candidate)` is the oracle, `budget` the calls left.
template <class T, class Test>
std::vector<T> ddmin(std::vector<T> items, const Test& fails, unsigned& budget) {
    std::size_t n = 2;
    while (items.size() >= 2 && budget > 0) {
        const std::size_t chunk = (items.size() + n - 1) / n;
        bool reduced = false;
        for (std::size_t start = 0; start < items.size() && budget > 0; start += chunk) {
            std::vector<T> rest(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(start));
            rest.insert(rest.end(), items.begin() + static_cast<std::ptrdiff_t>(std::min(start + chunk, items.size())),
                        items.end());
            --budget;
            if (fails(rest)) {
                items = std::move(rest);
                n = std::max<std::size_t>(n - 1, 2);
                reduced = true;
                break;
            }
        }
        if (reduced) continue;
        if (n >= items.size()) break;
        n = std::min(items.size(), n * 2);
    }
    if (items.size() == 1 && budget > 0) {  // the last element may go too
        --budget;
        if (fails(std::vector<T>{})) items.clear();
    }
    return items;
}

}  // namespace

Minimised minimise(Packets packets, const StillFails& still_fails, unsigned max_tries) {
    unsigned budget = max_tries;
    packets = ddmin(std::move(packets), still_fails, budget);
    for (std::size_t i = 0; i < packets.size() && budget > 0; ++i) {
        auto with = [&](const std::vector<std::uint8_t>& bytes) {
            Packets candidate = packets;
            candidate[i] = bytes;
            std::erase_if(candidate, [](const auto& p) { return p.empty(); });
            return still_fails(candidate);
        };
        packets[i] = ddmin(std::move(packets[i]), with, budget);
    }
    std::erase_if(packets, [](const auto& p) { return p.empty(); });
    return {std::move(packets), max_tries - budget};
}

}  // namespace mqttlens::probe
