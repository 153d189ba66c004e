import { useEffect, useRef, useState } from 'react';

/**
 * How many rows of a long list to render: a first page at once, and another page each time the end of what is
 * rendered comes within a screen or two of the window (an IntersectionObserver on a sentinel after the last
 * row). 500 approvals cost about a second to render at once on a busy 2-core machine; the first page paints in
 * a fraction of that and the rest follows as the person scrolls.
 */
export function useIncremental(
  total: number,
  options: { initial: number; step: number },
): { count: number; sentinel: React.RefObject<HTMLDivElement | null> } {
  const [count, setCount] = useState(options.initial);
  const sentinel = useRef<HTMLDivElement | null>(null);
  const step = options.step;
  useEffect(() => {
    const target = sentinel.current;
    if (!target || count >= total) return;
    // A new observer after each page reports at once whether the sentinel is still near, so a tall window
    // keeps filling without waiting for a scroll.
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setCount((c) => Math.min(total, c + step));
      },
      { rootMargin: '1500px 0px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [count, total, step]);
  return { count: Math.min(count, total), sentinel };
}

/** The first page: enough rows to fill the window down to a restored scroll position. */
export function firstPage(
  scrollY: number,
  viewportHeight: number,
  rowHeight: number,
  minimum: number,
): number {
  return Math.max(minimum, Math.ceil((scrollY + 2 * viewportHeight) / rowHeight));
}
