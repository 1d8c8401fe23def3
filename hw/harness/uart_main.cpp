// quantrtl virtual board: the Verilator model of a UART harness top (ports clk,
// uart_rx, uart_tx, led_red_n, led_green_n) driven at the bit level, as a board
// on a serial cable. Bytes on stdin are sent on uart_rx (8N1, LSB first, back to
// back at the baud); uart_tx is sampled mid-bit at the baud and each byte received
// is written to stdout at once. Bit times are kept as real numbers (clock / baud),
// not the design's integer divisor, so a divisor too far off fails here as it
// would on a board. Simulated time only advances while there is something to do:
// a byte to send, or a frame sent whose whole reply has not come back; when the
// host has nothing queued and every frame has its reply, the harness waits on
// stdin. The cycle count is then what a host that keeps the line busy would see.
// A design with loadable weights takes --preamble P bytes (its weight load image) before
// the first frame, with no reply: replies are due per frame after those P bytes.
// At stdin's end it prints one line on stderr: QUANTRTL_UART {json}.
// usage: sim --clock-hz F --baud B --frame-in N --frame-out M [--preamble P] [--timeout-cycles C]
#include "Vuart.h"
#include "verilated.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <unistd.h>

static void emit(uint8_t b) {
    // unbuffered: the host waits on each reply byte
    while (write(1, &b, 1) != 1) {}
}

int main(int argc, char** argv) {
    double clock_hz = 12e6, baud = 115200;
    uint64_t frame_in = 1, frame_out = 1, preamble = 0, timeout = 200000000ULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--clock-hz") clock_hz = std::atof(argv[i + 1]);
        else if (a == "--baud") baud = std::atof(argv[i + 1]);
        else if (a == "--frame-in") frame_in = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--frame-out") frame_out = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--preamble") preamble = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--timeout-cycles") timeout = std::strtoull(argv[i + 1], nullptr, 10);
    }
    const double bit = clock_hz / baud;
    Verilated::commandArgs(argc, argv);
    Vuart* top = new Vuart;
    uint64_t cycle = 0, sent = 0, received = 0, framing_errors = 0, waited = 0;
    std::deque<uint8_t> queue;
    // transmitter towards the design (uart_rx): the byte on the line and when it started
    bool sending = false;
    uint16_t frame_bits = 0;
    double send_start = 0, next_free = 64; // the line idles (high) a few bit times after reset
    // receiver of the design's uart_tx
    bool receiving = false, last_tx = true;
    double recv_start = 0;
    int recv_bit = 0;
    uint8_t recv_byte = 0;
    bool eof = false;
    top->clk = 0;
    top->uart_rx = 1;
    top->eval();
    for (;;) {
        const uint64_t frames_sent = sent > preamble ? (sent - preamble) / frame_in : 0;
        const bool quiet = !sending && queue.empty() && received >= frames_sent * frame_out && !receiving;
        if (quiet) {
            if (eof) break;
            uint8_t buf[4096];
            ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) {
                eof = true;
                continue;
            }
            queue.insert(queue.end(), buf, buf + n);
            waited = 0;
            if (next_free < (double)cycle) next_free = (double)cycle;
        }
        if (++waited > timeout) {
            std::fprintf(stderr, "QUANTRTL_UART {\"error\":\"timeout\",\"cycles\":%llu,\"sent\":%llu,\"received\":%llu}\n",
                         (unsigned long long)cycle, (unsigned long long)sent, (unsigned long long)received);
            return 3;
        }
        // the host's line: start bit, 8 data bits LSB first, stop bit, each `bit` cycles long
        if (!sending && !queue.empty() && (double)cycle >= next_free) {
            frame_bits = (uint16_t)(0x200 | (queue.front() << 1)); // stop(1) data start(0)
            queue.pop_front();
            sending = true;
            send_start = next_free;
        }
        if (sending) {
            const int k = (int)std::floor(((double)cycle - send_start) / bit);
            if (k >= 10) {
                sending = false;
                sent++;
                next_free = send_start + 10 * bit;
                top->uart_rx = 1;
            } else top->uart_rx = (frame_bits >> k) & 1;
        } else top->uart_rx = 1;
        top->clk = 1;
        top->eval();
        top->clk = 0;
        top->eval();
        cycle++;
        // the design's line, sampled mid-bit
        const bool tx = top->uart_tx;
        if (!receiving && last_tx && !tx) {
            receiving = true;
            recv_start = (double)cycle;
            recv_bit = 0;
            recv_byte = 0;
        } else if (receiving && (double)cycle >= recv_start + (recv_bit + 0.5) * bit) {
            if (recv_bit == 0 && tx) receiving = false; // a glitch, not a start bit
            else if (recv_bit >= 1 && recv_bit <= 8) recv_byte |= (uint8_t)(tx << (recv_bit - 1));
            else if (recv_bit == 9) {
                receiving = false;
                if (tx) {
                    emit(recv_byte);
                    received++;
                    waited = 0;
                } else framing_errors++;
            }
            recv_bit++;
        }
        last_tx = tx;
    }
    std::fprintf(stderr, "QUANTRTL_UART {\"cycles\":%llu,\"sent\":%llu,\"received\":%llu,\"framingErrors\":%llu,\"ledRed\":%d}\n",
                 (unsigned long long)cycle, (unsigned long long)sent, (unsigned long long)received,
                 (unsigned long long)framing_errors, top->led_red_n ? 0 : 1);
    top->final();
    delete top;
    return 0;
}
