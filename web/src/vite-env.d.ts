// Vite's types for what a module may import besides code (the stylesheet).
/// <reference types="vite/client" />
