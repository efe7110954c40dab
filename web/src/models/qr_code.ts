// A QR code as a grid of dark modules, from the `qrcode` package's encoder. The component draws
// each module as an SVG <rect> VNode: no canvas, no image data, nothing parsed as markup.
import QRCode from 'qrcode'

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number
  /** The dark modules' [column, row] pairs, row by row. */
  dark: [number, number][]
}

/** Medium error correction: enough for a phone held at an angle, small enough to scan from a screen. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const dark: [number, number][] = []
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column)) dark.push([column, row])
    }
  }
  return { size: modules.size, dark }
}
