// quantrtl Verilator harness: streams an input vector into the design with
// randomized valid/ready back-pressure, checks every output word against the
// golden vector, counts cycles from the first input to the last output.
// Ports of every quantrtl top: clk, rst, in_valid/in_ready/in_data,
// out_valid/out_ready/out_data. Prints one line: QUANTRTL_RESULT {json}.
// The run drains: it goes on after the last output word until every tap has
// carried the words its golden file holds (a layer in front of a pool that drops
// rows is still emitting then), at most --drain-cycles after the output finished,
// then --settle-cycles more to catch words beyond the golden count. Words past a
// stream's golden count are reported as mismatches with an index >= its count.
#include "Vdut.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif
// generated per design: QUANTRTL_TAP_COUNT and QUANTRTL_TAPS(X) = X(n, fire, data, bits)...,
// and QUANTRTL_WEIGHT_LOAD when the top has a weight-load port (wl_valid, wl_data, loaded)
#include "quantrtl_taps.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

static std::vector<uint64_t> read_hex(const char* path) {
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "harness: cannot open %s\n", path);
        std::exit(2);
    }
    std::vector<uint64_t> words;
    std::string line;
    while (std::getline(in, line)) {
        size_t c = line.find("//");
        if (c != std::string::npos) line = line.substr(0, c);
        std::istringstream ls(line);
        std::string tok;
        while (ls >> tok) words.push_back(std::strtoull(tok.c_str(), nullptr, 16));
    }
    return words;
}

// xorshift32: a fixed, seedable stall pattern (reproducible across runs)
static uint32_t rng_state = 1;
static uint32_t rng() {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

// one per-layer tap: the expected words of that layer's output stream, checked as they fire
struct Tap {
    std::vector<uint64_t> expect;
    uint64_t idx = 0, matched = 0, mismatches = 0;
    int64_t last = -1, extra = -1; // cycles of the last golden word and of the first word past the golden count
    std::string json;
};

static void check_tap(Tap& tap, bool fire, uint64_t data, unsigned bits, uint64_t cycle) {
    if (!fire) return;
    const uint64_t mask = bits >= 64 ? ~0ULL : ((1ULL << bits) - 1);
    const uint64_t want = tap.idx < tap.expect.size() ? (tap.expect[tap.idx] & mask) : ~0ULL;
    if (tap.idx < tap.expect.size()) tap.last = (int64_t)cycle;
    else if (tap.extra < 0) tap.extra = (int64_t)cycle;
    if (tap.idx < tap.expect.size() && (data & mask) == want) {
        tap.matched++;
    } else {
        if (tap.mismatches < 3) {
            char buf[200];
            std::snprintf(buf, sizeof buf, "%s{\"index\":%llu,\"cycle\":%llu,\"expected\":%llu,\"actual\":%llu}",
                          tap.mismatches ? "," : "", (unsigned long long)tap.idx, (unsigned long long)cycle,
                          (unsigned long long)(tap.idx < tap.expect.size() ? want : 0), (unsigned long long)(data & mask));
            tap.json += buf;
        }
        tap.mismatches++;
    }
    tap.idx++;
}

int main(int argc, char** argv) {
    std::vector<Tap> taps(QUANTRTL_TAP_COUNT > 0 ? QUANTRTL_TAP_COUNT : 1);
    const char* in_path = nullptr;
    const char* exp_path = nullptr;
    const char* vcd_path = nullptr;
    const char* load_path = nullptr;
    // --vcd-max-bytes: stop tracing (and close the VCD) once it is this large; the run goes on.
    // The VCD then covers the first cycles only: its last timestamp says how many.
    uint64_t vcd_max_bytes = 0;
    // --vcd-stop-at-done 1: stop tracing once every stream has its golden words (the settle window
    // that follows is idle and would dilute a toggle rate); vcd_cut: stopped by the size bound
    bool vcd_stop_at_done = false, vcd_cut = false;
    double stall = 0.25;
    uint64_t max_cycles = 100000000ULL;
    uint64_t drain_cycles = 0, settle_cycles = 0;
    uint64_t frame_out = 0;
    uint64_t frame_in = 0;
    unsigned out_bits = 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--in")) in_path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--expect")) exp_path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--vcd")) vcd_path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--load")) load_path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--vcd-stop-at-done")) vcd_stop_at_done = std::atoi(argv[i + 1]) != 0;
        else if (!std::strcmp(argv[i], "--vcd-max-bytes")) vcd_max_bytes = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--stall")) stall = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seed")) rng_state = (uint32_t)std::strtoul(argv[i + 1], nullptr, 10) | 1u;
        else if (!std::strcmp(argv[i], "--max-cycles")) max_cycles = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--drain-cycles")) drain_cycles = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--settle-cycles")) settle_cycles = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--frame-out")) frame_out = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--frame-in")) frame_in = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--out-bits")) out_bits = (unsigned)std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--tap")) {
            // --tap <n>:<expected.hex>
            const char* colon = std::strchr(argv[i + 1], ':');
            const int n = std::atoi(argv[i + 1]);
            if (colon && n >= 0 && n < (int)taps.size()) taps[n].expect = read_hex(colon + 1);
        }
    }
    if (!in_path || !exp_path) {
        std::fprintf(stderr, "usage: sim --in input.hex --expect expected.hex [--stall p] [--seed n] [--vcd f]\n");
        return 2;
    }
    const std::vector<uint64_t> inputs = read_hex(in_path);
    const std::vector<uint64_t> expected = read_hex(exp_path);
    const uint64_t out_mask = out_bits >= 64 ? ~0ULL : ((1ULL << out_bits) - 1);
    const uint32_t stall_threshold = (uint32_t)(stall * 4294967296.0 > 4294967295.0 ? 4294967295.0 : stall * 4294967296.0);
    auto stalled = [&]() { return stall > 0.0 && rng() < stall_threshold; };

    VerilatedContext* ctx = new VerilatedContext;
    Vdut* top = new Vdut{ctx};
#if VM_TRACE
    VerilatedVcdC* tfp = nullptr;
    if (vcd_path) {
        ctx->traceEverOn(true);
        tfp = new VerilatedVcdC;
        top->trace(tfp, 99);
        tfp->open(vcd_path);
    }
#else
    // built without --trace (the fast build): quantrtl builds a traced model when it wants a VCD
    if (vcd_path) {
        std::fprintf(stderr, "--vcd: this model was built without --trace\n");
        return 2;
    }
#endif
    uint64_t t = 0;
    auto tick = [&]() {
        top->clk = 1;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump(t);
#endif
        t += 5;
        top->clk = 0;
        top->eval();
#if VM_TRACE
        if (tfp) tfp->dump(t);
#endif
        t += 5;
    };

    top->clk = 0;
    top->rst = 1;
    top->in_valid = 0;
    top->in_data = 0;
    top->out_ready = 0;
    top->eval();
    for (int i = 0; i < 4; i++) tick();
    top->rst = 0;
#if QUANTRTL_WEIGHT_LOAD
    // the loadable weight RAMs take their image (--load: one byte a line) before any vector, with
    // random gaps as a serial line leaves them; cycles are counted from the first vector on
    {
        const std::vector<uint64_t> load = load_path ? read_hex(load_path) : std::vector<uint64_t>();
        size_t at = 0;
        uint64_t waited = 0;
        while (!top->loaded) {
            const bool send = at < load.size() && !stalled();
            top->wl_valid = send ? 1 : 0;
            top->wl_data = send ? (uint8_t)load[at] : 0;
            tick();
            if (send) at++;
            if (at >= load.size() && ++waited > 16) {
                std::fprintf(stderr, "harness: the design is not loaded after all %zu weight bytes\n", load.size());
                return 2;
            }
        }
        top->wl_valid = 0;
    }
#endif

    uint64_t cycle = 0, in_idx = 0, out_idx = 0, matched = 0, mismatches = 0;
    int64_t first_in = -1, last_out = -1, out_extra = -1;
    bool offering = false;
    std::vector<int64_t> frame_start, frame_end;
    std::string mismatch_json;
    // cycle at which the output stream / every stream had all its golden words (-1: not yet)
    int64_t out_done = -1, all_done = -1;
    bool timeout = false;
    while (true) {
        if (out_done < 0 && out_idx >= expected.size()) out_done = (int64_t)cycle;
        if (all_done < 0 && out_done >= 0) {
            bool taps_done = true;
            for (int n = 0; n < QUANTRTL_TAP_COUNT; n++) taps_done = taps_done && taps[n].idx >= taps[n].expect.size();
            if (taps_done) all_done = (int64_t)cycle;
        }
        if (all_done >= 0 && cycle >= (uint64_t)all_done + settle_cycles) break;
        if (all_done < 0 && (cycle >= max_cycles || (out_done >= 0 && cycle >= (uint64_t)out_done + drain_cycles))) {
            timeout = true; // stopped by a cycle limit with golden words still missing
            break;
        }
        if (all_done >= 0 && cycle >= max_cycles) break;
        if (!offering && in_idx < inputs.size()) offering = !stalled();
        top->in_valid = offering ? 1 : 0;
        top->in_data = offering ? inputs[in_idx] : 0;
        top->out_ready = stalled() ? 0 : 1;
        top->eval();
        const bool in_fire = top->in_valid && top->in_ready;
        const bool out_fire = top->out_valid && top->out_ready;
        const uint64_t out_data = (uint64_t)top->out_data & out_mask;
#define QUANTRTL_CHECK_TAP(n, FIRE, DATA, BITS) check_tap(taps[n], top->FIRE, (uint64_t)top->DATA, BITS, cycle);
        QUANTRTL_TAPS(QUANTRTL_CHECK_TAP)
        tick();
#if VM_TRACE
        if (tfp && vcd_max_bytes && (cycle & 255) == 255) {
            tfp->flush();
            struct stat st;
            if (stat(vcd_path, &st) == 0 && (uint64_t)st.st_size >= vcd_max_bytes) {
                tfp->close();
                delete tfp;
                tfp = nullptr;
                vcd_cut = true;
            }
        }
        if (tfp && vcd_stop_at_done && all_done >= 0) {
            tfp->close();
            delete tfp;
            tfp = nullptr;
        }
#endif
        if (in_fire) {
            if (first_in < 0) first_in = (int64_t)cycle;
            if (frame_in && in_idx % frame_in == 0) frame_start.push_back((int64_t)cycle);
            in_idx++;
            offering = false;
        }
        if (out_fire) {
            const bool golden = out_idx < expected.size();
            if (golden && out_data == (expected[out_idx] & out_mask)) {
                matched++;
            } else {
                if (mismatches < 10) {
                    char buf[200];
                    std::snprintf(buf, sizeof buf, "%s{\"index\":%llu,\"cycle\":%llu,\"expected\":%llu,\"actual\":%llu}",
                                  mismatches ? "," : "", (unsigned long long)out_idx, (unsigned long long)cycle,
                                  (unsigned long long)(golden ? expected[out_idx] & out_mask : 0), (unsigned long long)out_data);
                    mismatch_json += buf;
                }
                mismatches++;
            }
            out_idx++;
            if (golden) {
                // a word past the golden count is reported, not counted as the design's latency
                last_out = (int64_t)cycle;
                if (frame_out && out_idx % frame_out == 0) frame_end.push_back((int64_t)cycle);
            } else if (out_extra < 0) {
                out_extra = (int64_t)cycle;
            }
        }
        cycle++;
        if ((cycle & 0xFFFF) == 0) {
            std::printf("QUANTRTL_PROGRESS %llu\n", (unsigned long long)cycle);
            std::fflush(stdout);
        }
    }
    std::string frames;
    for (size_t f = 0; f < frame_end.size() && f < frame_start.size(); f++) {
        frames += (f ? "," : "") + std::to_string(frame_end[f] - frame_start[f] + 1);
    }
    std::string taps_json;
    int64_t last_word = last_out;
    for (int n = 0; n < QUANTRTL_TAP_COUNT; n++) {
        if (taps[n].last > last_word) last_word = taps[n].last;
        char buf[200];
        std::snprintf(buf, sizeof buf, "%s{\"compared\":%llu,\"matched\":%llu,\"expectedWords\":%llu,\"extraCycle\":%lld,\"mismatches\":[",
                      n ? "," : "", (unsigned long long)taps[n].idx, (unsigned long long)taps[n].matched,
                      (unsigned long long)taps[n].expect.size(), (long long)taps[n].extra);
        taps_json += buf + taps[n].json + "]}";
    }
    std::printf("QUANTRTL_RESULT {\"compared\":%llu,\"matched\":%llu,\"expectedWords\":%llu,\"inputsConsumed\":%llu,"
                "\"cycles\":%lld,\"drainCycles\":%lld,\"extraCycle\":%lld,\"simCycles\":%llu,\"timeout\":%s,\"vcdCut\":%s,\"frameCycles\":[%s],\"mismatches\":[%s],\"taps\":[%s]}\n",
                (unsigned long long)out_idx, (unsigned long long)matched, (unsigned long long)expected.size(),
                (unsigned long long)in_idx, (long long)(first_in >= 0 && last_out >= 0 ? last_out - first_in + 1 : 0),
                (long long)(first_in >= 0 && last_word >= 0 ? last_word - first_in + 1 : 0), (long long)out_extra,
                (unsigned long long)cycle, timeout ? "true" : "false", vcd_cut ? "true" : "false", frames.c_str(), mismatch_json.c_str(), taps_json.c_str());
#if VM_TRACE
    if (tfp) tfp->close();
#endif
    top->final();
    delete top;
    delete ctx;
    return 0;
}
