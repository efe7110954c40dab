import type { IconName } from './icons'

/** One entry of a UiMenu. */
export interface UiMenuItem {
  id: string
  label: string
  icon?: IconName
  /** Red, for what removes or punishes (Leave Server, Kick, Ban). */
  danger?: boolean
  /** Set (true or false) for a checkbox item, which toggles without closing the menu. */
  checked?: boolean
  disabled?: boolean
  /** A colour dot before the label (a role's colour), as CSS. */
  swatch?: string | null
  /** A separator line before this item. */
  separator?: boolean
  /** A small heading before this item (after any separator). */
  heading?: string
}

/** Where a menu opens: at a point (right-click), or under an element (a dropdown button). */
export type UiMenuAnchor = { x: number; y: number } | HTMLElement
