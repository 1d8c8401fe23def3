/** A nextpnr-ice40 PCF for the UART harness top: the board's clock, UART and LED pins (hw/boards/<board>.json "pins"). */
import { Board } from "../ir/board.js";
import { QuantrtlError } from "../util/errors.js";

export function harnessPcf(board: Board, clockMHz = board.clockMHz): string {
  const pins = board.pins;
  if (!pins)
    throw new QuantrtlError(
      undefined,
      "--board",
      `${board.name} has no pin table (clock, UART, LEDs) for a bitstream`,
      'use --board icebreaker, or add "pins" to the board\'s JSON',
    );
  const lines = [
    `# ${board.title} (${board.part}): pins of the quantrtl UART harness top`,
    `# from ${pins.source}`,
    `set_io -nowarn clk ${pins.clock}`,
    `set_frequency clk ${clockMHz}`,
    `set_io -nowarn uart_rx ${pins.uartRx}`,
    `set_io -nowarn uart_tx ${pins.uartTx}`,
  ];
  if (pins.ledRedN) lines.push(`set_io -nowarn led_red_n ${pins.ledRedN}`);
  if (pins.ledGreenN) lines.push(`set_io -nowarn led_green_n ${pins.ledGreenN}`);
  return lines.join("\n") + "\n";
}
