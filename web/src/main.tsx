import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeTokenFromAddress } from './session';
import './styles.css';

// Before anything renders or is logged: the sign-in link's token leaves the address bar. A link opened
// in a tab already on the console changes only the fragment: it starts the app afresh with its token.
takeTokenFromAddress();
window.addEventListener('hashchange', () => {
  if (takeTokenFromAddress()) window.location.reload();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
