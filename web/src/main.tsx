// Entry point: takes a sign-in link's token from the address, then mounts the console's App
// into index.html's #root with its stylesheet.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeTokenFromAddress } from './auth';
import './styles.css';

// Read a sign-in link's token once, before anything renders, and clear it from the address.
const linkToken = takeTokenFromAddress();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App linkToken={linkToken} />
  </StrictMode>,
);
