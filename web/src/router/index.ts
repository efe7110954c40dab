import { createRouter, createWebHistory, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router'
import AppView from '@/views/AppView.vue'
import ForgotPasswordView from '@/views/ForgotPasswordView.vue'
import InviteView from '@/views/InviteView.vue'
import LoginView from '@/views/LoginView.vue'
import NotFoundView from '@/views/NotFoundView.vue'
import OAuthDoneView from '@/views/OAuthDoneView.vue'
import RegisterView from '@/views/RegisterView.vue'
import ResetPasswordView from '@/views/ResetPasswordView.vue'
import VerifyEmailView from '@/views/VerifyEmailView.vue'
import { setPageTitle } from './title'

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title; " · Hearth" is appended. */
    title?: string
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: { name: 'app' } },
  // Any guild/channel pair deep-links into the app shell; unknown ones show an empty state.
  { path: '/app/:guildId?/:channelId?', name: 'app', component: AppView },
  // A channel with one of its threads open in the side panel (a thread's own id in place of the
  // channel's, /app/:guildId/:threadId, opens it full size).
  { path: '/app/:guildId/:channelId/threads/:threadId', name: 'thread', component: AppView },
  // Home (friends) and a DM or group DM, at Discord's addresses.
  { path: '/channels/@me', name: 'home', component: AppView, meta: { title: 'Friends' } },
  { path: '/channels/@me/:channelId', name: 'dm', component: AppView },
  // Discord's own addresses for a server's channel (and a thread beside it), kept so its links work here too.
  { path: '/channels/:guildId/:channelId/threads/:threadId', redirect: (to) => ({ name: 'thread', params: to.params }) },
  { path: '/channels/:guildId/:channelId?', redirect: (to) => ({ name: 'app', params: to.params }) },
  // An invite link's preview; it needs no account.
  { path: '/invite/:code', name: 'invite', component: InviteView, meta: { title: 'Invite' } },
  { path: '/login', name: 'login', component: LoginView, meta: { title: 'Sign in' } },
  {
    path: '/register',
    name: 'register',
    component: RegisterView,
    meta: { title: 'Create an account' },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: ForgotPasswordView,
    meta: { title: 'Reset your password' },
  },
  // Mailed links carry their token in the fragment, which never reaches a server.
  { path: '/verify', name: 'verify-email', component: VerifyEmailView, meta: { title: 'Verify your email' } },
  { path: '/reset', name: 'reset-password', component: ResetPasswordView, meta: { title: 'Choose a new password' } },
  // Where the server sends the browser back from a sign-in provider; the outcome is in the fragment.
  { path: '/oauth/done', name: 'oauth-done', component: OAuthDoneView, meta: { title: 'Signing in' } },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: NotFoundView,
    meta: { title: 'Page not found' },
  },
]

export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({ history, routes })
  router.afterEach((to) => {
    setPageTitle(to.meta.title ? `${to.meta.title} · Hearth` : 'Hearth')
  })
  return router
}
