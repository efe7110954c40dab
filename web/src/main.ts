import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { followNotificationClicks } from './composables/usePushSubscription'
import { createAppRouter } from './router'
import { installSessionGuard } from './router/session_guard'
import { useSessionStore } from './stores/session'
import { useThemeStore } from './stores/theme'
import './styles/tokens.css'
import './styles/base.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
// Before mount, so the first paint already has the right theme and the API client its token hook.
useThemeStore(pinia)
const session = useSessionStore(pinia)
const router = createAppRouter()
installSessionGuard(router, session)
app.use(router)
// A click on a push notification (public/sw.js) brings this tab to the message's channel.
followNotificationClicks(router)
app.mount('#app')
