import type { Page } from "@playwright/test";

/** The widths the portal is designed for: laptop, small laptop, tablet, phone. */
export const WIDTHS = [1440, 1024, 820, 390] as const;
export const THEMES = ["light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

/** The theme, switched the way the sidebar's toggle does it: the class on <html> and its saved choice. */
export function setTheme(page: Page, theme: Theme) {
  return page.evaluate((dark) => {
    document.documentElement.classList.toggle("dark", dark);
    localStorage.setItem("runlens-theme", dark ? "dark" : "light");
  }, theme === "dark");
}

/**
 * Waits until the layout stands still: the document's size and the page's text are the same for
 * three frames in a row (ResizeObserver-driven grids and charts re-render a frame or two after a
 * resize). Throws if it never settles, so a page that keeps moving fails rather than passing.
 */
export async function settle(page: Page) {
  const settled = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        let last = "";
        let same = 0;
        let frames = 0;
        const tick = () => {
          const main = document.querySelector("main");
          const busy = document.querySelectorAll('[aria-busy="true"]').length;
          const now = [
            document.documentElement.scrollWidth,
            document.documentElement.scrollHeight,
            main?.scrollWidth ?? 0,
            main?.scrollHeight ?? 0,
            document.body.textContent?.length ?? 0,
            busy,
          ].join();
          same = now === last && busy === 0 ? same + 1 : 0;
          last = now;
          if (same >= 3) resolve(true);
          else if (++frames > 600) resolve(false);
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );
  if (!settled) throw new Error(`the layout of ${page.url()} did not settle (or a skeleton stayed)`);
}

export type LayoutProblem = {
  kind: "horizontal-scroll" | "clipped-text" | "clipped-placeholder";
  where: string;
  detail: string;
};

/**
 * What is wrong with the layout as rendered: (a) the page scrolls sideways (the document, or the
 * portal's <main>, which is the page's scroller from the tablet width up); (b) text cut off by an
 * element that hides its overflow without an ellipsis. Scroll containers (overflow auto/scroll:
 * code blocks, tables, trees) are not clipping, and a text is only counted against the element
 * that actually clips it (its nearest ancestor with non-visible overflow); (c) a field's
 * placeholder cut by the field's width.
 */
export function findLayoutProblems(page: Page): Promise<LayoutProblem[]> {
  return page.evaluate(() => {
    const problems: {
      kind: "horizontal-scroll" | "clipped-text" | "clipped-placeholder";
      where: string;
      detail: string;
    }[] = [];
    const nameOf = (el: Element) => {
      const id = el.id ? `#${el.id}` : "";
      const testId = el.getAttribute("data-testid");
      const cls = typeof el.className === "string" ? el.className.split(/\s+/).slice(0, 4).join(".") : "";
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 60);
      return `<${el.tagName.toLowerCase()}${id}${testId ? `[data-testid=${testId}]` : ""}${cls ? `.${cls}` : ""}> "${text}"`;
    };

    // (a) Sideways scrolling, with the elements that stick out named.
    const root = document.documentElement;
    const scrollers: Element[] = [root];
    const main = document.querySelector("main");
    if (main && getComputedStyle(main).overflowX !== "visible") scrollers.push(main);
    for (const scroller of scrollers) {
      if (scroller.scrollWidth <= scroller.clientWidth + 1) continue;
      const edge = scroller === root ? root.clientWidth : scroller.getBoundingClientRect().right;
      const culprits = [...scroller.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > edge + 1 && el.checkVisibility())
        // The outermost ones, outside any inner scroller (a wide table in its scrolling card is fine).
        .filter((el) => {
          for (let a = el.parentElement; a && a !== scroller; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return false;
            if (a.getBoundingClientRect().right > edge + 1) return false;
          }
          return true;
        })
        .slice(0, 3)
        .map(nameOf);
      problems.push({
        kind: "horizontal-scroll",
        where: scroller === root ? "document" : "main",
        detail: `scrollWidth ${scroller.scrollWidth} > clientWidth ${scroller.clientWidth}; sticking out: ${culprits.join(" | ")}`,
      });
    }

    // (b) Clipped text.
    const clips = (style: CSSStyleDeclaration) => style.overflowX === "hidden" || style.overflowX === "clip";
    const nearestOverflowAncestor = (node: Node): Element | null => {
      for (let el = node.parentElement; el; el = el.parentElement)
        if (getComputedStyle(el).overflowX !== "visible") return el;
      return null;
    };
    for (const el of document.body.querySelectorAll("*")) {
      if (!(el instanceof HTMLElement)) continue;
      if (el.scrollWidth <= el.clientWidth + 1) continue;
      const style = getComputedStyle(el);
      if (!clips(style) || style.textOverflow === "ellipsis") continue;
      const box = el.getBoundingClientRect();
      // Visually hidden text for screen readers (sr-only: 1px, clipped) is meant to be clipped.
      if (box.width <= 1 || box.height <= 1 || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true }))
        continue;
      const left = box.left + el.clientLeft;
      const right = left + el.clientWidth;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || nearestOverflowAncestor(node) !== el) continue;
        const parent = node.parentElement;
        if (!parent?.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const cut = [...range.getClientRects()].some((r) => r.width > 0 && (r.right > right + 1 || r.left < left - 1));
        if (cut) {
          problems.push({
            kind: "clipped-text",
            where: nameOf(el),
            detail: `text "${node.textContent.trim().slice(0, 40)}" cut`,
          });
          break;
        }
      }
    }

    // (c) A single-line field's placeholder wider than the field (it is the field's only label for
    // sighted users, so a cut one hides what to type).
    const measure = document.createElement("canvas").getContext("2d");
    for (const input of document.querySelectorAll<HTMLInputElement>("input[placeholder]")) {
      if (!measure || input.value || !input.checkVisibility({ visibilityProperty: true })) continue;
      const style = getComputedStyle(input);
      measure.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = input.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
      const needed = measure.measureText(input.placeholder).width;
      if (needed > room + 1)
        problems.push({
          kind: "clipped-placeholder",
          where: nameOf(input),
          detail: `"${input.placeholder}" needs ${Math.ceil(needed)}px, has ${Math.floor(room)}px`,
        });
    }
    return problems;
  });
}
