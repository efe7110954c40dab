// Images made by the tests themselves, so no fixture files are needed.
import { crc32, deflateSync } from 'node:zlib'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** One PNG chunk: length, type, data and the CRC of type and data. */
export function pngChunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * An 8-bit RGB PNG of `width` x `height` whose pixel (x, y) is `pixel(x, y)` ([r, g, b]), with
 * `extra` chunks (metadata, say) before the image data.
 */
export function rgbPng(width, height, pixel, extra = []) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB
  const rows = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3) // filter byte 0: none
    for (let x = 0; x < width; x++) row.set(pixel(x, y), 1 + x * 3)
    rows.push(row)
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    ...extra,
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** A `width` x `height` (default square) PNG with a diagonal two-colour gradient. */
export function gradientPng(width, height = width) {
  return rgbPng(width, height, (x, y) => {
    const t = (x / width + y / height) / 2
    return [Math.round(88 + 150 * t), Math.round(101 - 40 * t), Math.round(242 - 150 * t)]
  })
}

/** A `size`² PNG in one colour. */
export function solidPng(size, rgb) {
  return rgbPng(size, size, () => rgb)
}
