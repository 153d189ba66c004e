import { z } from 'zod';

// The webview's CSP forbids eval. Zod's fast path compiles parsers with `new Function`; it falls back by itself
// when that throws, but its probe still files a CSP violation report on every page load. Jitless skips the probe.
z.config({ jitless: true });
