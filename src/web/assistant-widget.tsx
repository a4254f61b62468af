/**
 * 智能问答 on every public page: without JavaScript a plain GET form to the assistant page, placed
 * in the flow at the foot of the page so it never covers content or the 无障碍 toolbar; the
 * assistant-widget island turns it into a disclosure that answers in place, citing its sources.
 */
export function AssistantWidget({ base }: { base: string }) {
  return (
    <aside class="ask-widget" aria-labelledby="ask-widget-title" data-ask-widget>
      <div class="wrap ask-widget-inner">
        <h2 id="ask-widget-title" class="ask-widget-title">
          智能问答
        </h2>
        <form id="ask-widget-panel" class="ask-widget-form" method="get" action={`${base}/assistant`}>
          <label for="ask-widget-q">有问题，直接问（如“新生儿怎么上户口”）</label>
          <div class="ask-widget-row">
            <input id="ask-widget-q" name="q" type="text" maxLength={200} required autocomplete="off" />
            <button type="submit">提问</button>
          </div>
          <div class="ask-widget-answer" aria-live="polite" />
        </form>
      </div>
    </aside>
  );
}
