import { render } from 'preact'
import { Session } from './api/session.js'
import { App } from './ui/app.js'
import './styles.css'

render(<App session={new Session()} />, document.getElementById('app')!)
