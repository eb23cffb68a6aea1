// A table wider than its panel scrolls sideways inside it rather than widening the page; phones hide
// scrollbars, so a line under it says there is more, shown only while the table does not fit.
export function showScrollHint(frame: HTMLElement, hint: HTMLElement): void {
  const update = () => {
    hint.hidden = frame.scrollWidth <= frame.clientWidth + 1;
  };
  new ResizeObserver(update).observe(frame);
  new MutationObserver(update).observe(frame, { childList: true, subtree: true });
  update();
}
