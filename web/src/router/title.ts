// The document title: the page's own ("Sign in · Hearth", "Hearth") with the unread mention count
// in front, as Discord shows it ("(3) Hearth"). The router sets the page part, the shell the count.
import { titleWithCount } from '@/models/read_state'

let pageTitle = 'Hearth'
let mentions = 0

function apply(): void {
  document.title = titleWithCount(pageTitle, mentions)
}

export function setPageTitle(title: string): void {
  pageTitle = title
  apply()
}

export function setTitleMentions(count: number): void {
  mentions = Math.max(0, count)
  apply()
}
