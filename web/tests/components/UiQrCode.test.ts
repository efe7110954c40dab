import { mount } from '@vue/test-utils'
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import UiQrCode from '@/components/ui/UiQrCode.vue'
import { qrMatrix } from '@/models/qr_code'

const URI = 'otpauth://totp/Hearth:ada?secret=JBSWY3DPEHPK3PXP&issuer=Hearth&algorithm=SHA1&digits=6&period=30'

describe('UiQrCode', () => {
  it('draws one square per dark module, inside a quiet zone of four', () => {
    const { modules } = QRCode.create(URI, { errorCorrectionLevel: 'M' })
    const darkCount = Array.from(modules.data).filter(Boolean).length
    const wrapper = mount(UiQrCode, { props: { value: URI, label: 'QR code for your authenticator app' } })

    const squares = wrapper.findAll('rect.ui-qr-code__module')
    expect(squares).toHaveLength(darkCount)
    expect(wrapper.find('svg').attributes('viewBox')).toBe(`0 0 ${modules.size + 8} ${modules.size + 8}`)
    // The top-left finder pattern starts at module (0, 0), drawn at (4, 4).
    expect(squares[0]!.attributes()).toMatchObject({ x: '4', y: '4', width: '1', height: '1' })
  })

  it('is an image with an accessible name, not a pile of shapes', () => {
    const wrapper = mount(UiQrCode, { props: { value: URI, label: 'Scan me', size: 120 } })
    const svg = wrapper.find('svg')
    expect(svg.attributes('role')).toBe('img')
    expect(svg.attributes('aria-label')).toBe('Scan me')
    expect(svg.attributes('width')).toBe('120')
  })

  it('changes when the value does', async () => {
    const wrapper = mount(UiQrCode, { props: { value: URI, label: 'QR' } })
    await wrapper.setProps({ value: 'otpauth://totp/Hearth:grace?secret=GEZDGNBVGY3TQOJQ&issuer=Hearth' })
    expect(wrapper.findAll('rect.ui-qr-code__module')).toHaveLength(
      qrMatrix('otpauth://totp/Hearth:grace?secret=GEZDGNBVGY3TQOJQ&issuer=Hearth').dark.length,
    )
  })
})
