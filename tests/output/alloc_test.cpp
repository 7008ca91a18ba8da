// The printers allocate nothing per packet once the output buffer has grown: counted through the
// global operator new of this test binary (tests/support/counting_new.cpp).
#include "test_util.hpp"

#include "counting_new.hpp"

#include <gtest/gtest.h>


using namespace mqttlens;

TEST(Allocation, NoneOncePrintingIntoAGrownBuffer) {
    const test_util::Decoded packets[] = {
        test_util::Decoded("10 1e  00 04 4d 51 54 54  04  ce  00 3c  00 02 63 31  00 02 6c 77  00 03 62 79 65"
                           "  00 01 75  00 02 70 77"),
        test_util::Decoded("32 0c  00 03 61 2f 62  00 07  68 65 6c 6c 6f"),
        test_util::Decoded("30 05  00 03 61 ff 62"),
        test_util::Decoded("82 0c  00 03  00 03 61 2f 23 01  00 01 62 00"),
        test_util::Decoded("90 05  00 03  01 00 80"),
    };
    output::Context context;
    context.frame = 1;
    context.src = "10.0.0.1:1";
    context.dst = "10.0.0.2:1883";
    context.direction = output::Direction::c2s;
    output::Buffer out;
    out.reserve(1 << 16);
    for (auto format : {output::Format::summary, output::Format::tree, output::Format::json}) {
        output::PrintOptions options;
        options.format = format;
        options.hex_dump = true;
        const std::size_t before = mqttlens::test::allocation_count();
        for (int round = 0; round < 100; ++round) {
            for (const auto& d : packets) output::print_packet(out, d.packet, context, options);
            out.clear();
        }
        EXPECT_EQ(mqttlens::test::allocation_count() - before, 0u) << "format " << static_cast<int>(format);
    }
}
