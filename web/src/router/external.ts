// Leaving the single-page app for a full page load (a sign-in provider, the server's OAuth
// routes). One object, so tests can replace `assign` where jsdom cannot navigate.
export const externalNavigation = {
  assign(url: string): void {
    window.location.assign(url)
  },
}
