import { createRouter, createWebHistory, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router'
import AppView from '@/views/AppView.vue'
import ForgotPasswordView from '@/views/ForgotPasswordView.vue'
import LoginView from '@/views/LoginView.vue'
import NotFoundView from '@/views/NotFoundView.vue'
import RegisterView from '@/views/RegisterView.vue'

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
    document.title = to.meta.title ? `${to.meta.title} · Hearth` : 'Hearth'
  })
  return router
}
