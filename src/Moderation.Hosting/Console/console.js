// The review console. Message text and every other value from the API reach the page only as text nodes
// (textContent, createTextNode): nothing a user wrote is ever parsed as HTML.
'use strict';

(() => {
  const keyHeader = 'X-Moderation-Key';
  const reviewerHeader = 'X-Moderation-Reviewer';
  const store = window.sessionStorage;
  const $ = (id) => document.getElementById(id);
  const categories = ['clean', 'off_platform_contact', 'job_seeking', 'partnership_solicitation', 'scam_phishing',
    'harassment', 'threat', 'hate', 'sexual', 'spam'];

  const state = {
    items: [], selected: -1, continuation: null, clockSkewMs: 0, principal: null, busy: false,
    decided: new Map(), // caseId -> text shown for a case decided while it was on screen
  };

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function credentials() {
    const headers = { 'Accept': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };
    const key = store.getItem('reviewKey');
    const reviewer = store.getItem('reviewerId');
    if (key) headers[keyHeader] = key;
    if (reviewer) headers[reviewerHeader] = reviewer;
    return headers;
  }

  async function api(path, options = {}) {
    const response = await fetch(path, { ...options, headers: { ...credentials(), ...(options.headers || {}) }, credentials: 'same-origin' });
    let body = null;
    const text = await response.text();
    if (text) { try { body = JSON.parse(text); } catch { body = { detail: text }; } }
    if (response.status === 401) { showSignIn(body && body.detail); throw new Error('unauthorized'); }
    return { status: response.status, body };
  }

  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(r).padStart(2, '0')}s`;
  }

  function serverNow() { return Date.now() + state.clockSkewMs; }

  function secondsLeft(item) { return (Date.parse(item.deadline) - serverNow()) / 1000; }

  // ---- sign-in -------------------------------------------------------------------------------------------------
  function showSignIn(problem) {
    $('console').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = problem && store.getItem('reviewKey') ? problem : '';
    $('reviewer').value = store.getItem('reviewerId') || '';
    $('key').focus();
  }

  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    store.setItem('reviewKey', $('key').value.trim());
    store.setItem('reviewerId', $('reviewer').value.trim());
    $('key').value = '';
    start();
  });

  $('sign-out').addEventListener('click', () => {
    store.removeItem('reviewKey');
    showSignIn();
  });

  // ---- queue ---------------------------------------------------------------------------------------------------
  function queuePath(continuation) {
    const view = $('view').value;
    const params = new URLSearchParams();
    params.set('stage', view === 'waiting' ? 'awaiting_review' : 'completed');
    if (view !== 'waiting') params.set('disposition', view);
    if ($('category-filter').value) params.set('category', $('category-filter').value);
    params.set('pageSize', '50');
    if (continuation) params.set('continuationToken', continuation);
    return `/api/cases?${params}`;
  }

  async function loadQueue({ append = false } = {}) {
    const { status, body } = await api(queuePath(append ? state.continuation : null));
    if (status !== 200) { $('queue-empty').textContent = (body && body.detail) || `Could not load the queue (${status}).`; $('queue-empty').hidden = false; return; }
    state.clockSkewMs = Date.parse(body.asOf) - Date.now();
    const current = state.items[state.selected];
    const incoming = body.items;
    if (append) {
      const known = new Set(state.items.map((i) => i.caseId));
      state.items = state.items.concat(incoming.filter((i) => !known.has(i.caseId)));
    } else {
      state.items = incoming;
      state.continuation = null;
    }
    state.continuation = body.continuationToken || null;
    // A case decided on this screen stays visible (struck through) until the reviewer moves on.
    if (!append && current && state.decided.has(current.caseId) && !state.items.some((i) => i.caseId === current.caseId)) {
      const at = Math.min(state.selected, state.items.length);
      state.items.splice(at, 0, current);
    }
    const keep = current ? state.items.findIndex((i) => i.caseId === current.caseId) : -1;
    renderQueue();
    if (keep >= 0) { select(keep, { focus: false, reload: false }); }
    else if (state.items.length > 0 && state.selected < 0) { select(0, { focus: false }); }
    else if (state.items.length === 0) { state.selected = -1; renderCase(null); }
    else { select(Math.min(Math.max(state.selected, 0), state.items.length - 1), { focus: false }); }
  }

  async function loadStatus() {
    const { status, body } = await api('/api/review-queue');
    if (status !== 200) return;
    $('depth').textContent = String(body.waiting);
    $('oldest').textContent = body.oldestWaitingSeconds === null || body.oldestWaitingSeconds === undefined ? 'none' : formatAge(body.oldestWaitingSeconds);
  }

  function renderQueue() {
    const list = $('queue-list');
    clear(list);
    list.setAttribute('role', 'listbox');
    state.items.forEach((item, index) => {
      const li = el('li');
      li.id = `case-${index}`;
      li.dataset.caseId = item.caseId;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', index === state.selected ? 'true' : 'false');
      li.tabIndex = index === state.selected ? 0 : -1;
      if (state.decided.has(item.caseId)) li.classList.add('decided');
      const meta = el('span', null, 'meta');
      meta.appendChild(el('span', item.category || 'unclassified'));
      meta.appendChild(el('span', item.outcome ? item.outcome.disposition : formatAge(secondsLeft(item)), 'left'));
      li.appendChild(meta);
      li.appendChild(el('span', item.message.text, 'snippet'));
      li.addEventListener('click', () => select(index));
      list.appendChild(li);
    });
    $('queue-empty').textContent = 'No cases.';
    $('queue-empty').hidden = state.items.length > 0;
    $('load-more').hidden = !state.continuation;
  }

  $('load-more').addEventListener('click', () => loadQueue({ append: true }));
  $('view').addEventListener('change', () => { state.selected = -1; loadQueue(); });
  $('category-filter').addEventListener('change', () => { state.selected = -1; loadQueue(); });

  function select(index, { focus = true, reload = true } = {}) {
    if (index < 0 || index >= state.items.length) return;
    const changed = index !== state.selected;
    state.selected = index;
    const list = $('queue-list');
    Array.from(list.children).forEach((li, i) => {
      li.setAttribute('aria-selected', i === index ? 'true' : 'false');
      li.tabIndex = i === index ? 0 : -1;
    });
    const li = list.children[index];
    if (li) { li.scrollIntoView({ block: 'nearest' }); if (focus) li.focus(); }
    if (changed || reload) renderCase(state.items[index]);
  }

  function move(delta) {
    if (state.items.length === 0) return;
    const next = state.selected < 0 ? 0 : Math.min(Math.max(state.selected + delta, 0), state.items.length - 1);
    select(next);
  }

  // ---- case view -----------------------------------------------------------------------------------------------
  // Rule spans (start/length in UTF-16 units, as JavaScript strings count) and LLM evidence become <mark> nodes.
  function highlight(container, text, ruleHits, evidence) {
    clear(container);
    const spans = [];
    for (const hit of ruleHits || []) {
      if (Number.isInteger(hit.start) && Number.isInteger(hit.length) && hit.length > 0 && hit.start >= 0 && hit.start < text.length) {
        spans.push({ start: hit.start, end: Math.min(text.length, hit.start + hit.length), title: `${hit.ruleId}: ${hit.description}`, kind: 'rule' });
      }
    }
    for (const quote of evidence || []) {
      const at = quote ? text.indexOf(quote) : -1;
      if (at >= 0) spans.push({ start: at, end: at + quote.length, title: 'LLM evidence', kind: 'llm' });
    }
    spans.sort((a, b) => a.start - b.start || b.end - a.end);
    let position = 0;
    for (const span of spans) {
      if (span.start < position) continue; // overlapping spans: the earlier, longer one is shown
      if (span.start > position) container.appendChild(document.createTextNode(text.slice(position, span.start)));
      const mark = el('mark', text.slice(span.start, span.end), span.kind === 'llm' ? 'llm' : '');
      mark.title = span.title;
      container.appendChild(mark);
      position = span.end;
    }
    if (position < text.length) container.appendChild(document.createTextNode(text.slice(position)));
  }

  let auditRequest = 0;

  function renderCase(item) {
    $('case-empty').hidden = !!item;
    $('case-body').hidden = !item;
    if (!item) return;
    $('case-id').textContent = `Case ${item.caseId}`;
    const m = item.message;
    $('message-meta').textContent = `${m.senderRole} ${m.senderId} → ${m.recipientRole} ${m.recipientId} · conversation ${m.conversationId} · sent ${new Date(m.sentAt).toLocaleString()}`;
    highlight($('message-text'), m.text || '', item.prefilter.ruleHits, item.verdict && item.verdict.evidence);
    const p = item.prefilter;
    $('prefilter-score').textContent = `Score ${p.score.toFixed(3)} (threshold ${p.modelThreshold.toFixed(3)}, ${p.modelVersion})`;
    const hits = $('rule-hits');
    clear(hits);
    for (const hit of p.ruleHits || []) hits.appendChild(el('li', `${hit.ruleId}: “${hit.evidence}”`));
    if ((p.ruleHits || []).length === 0) hits.appendChild(el('li', 'No rule matched.', 'muted'));
    if (item.verdict) {
      $('verdict').textContent = `${item.verdict.category} · confidence ${(item.verdict.confidence * 100).toFixed(0)}% · ${item.verdict.model}`;
      $('rationale').textContent = item.verdict.rationale || '';
    } else {
      $('verdict').textContent = 'No verdict: the LLM did not classify this message.';
      $('rationale').textContent = '';
    }
    $('reason').textContent = `Sent to review: ${item.reason}`;
    const conflict = state.decided.get(item.caseId);
    $('conflict').hidden = !conflict;
    $('conflict').textContent = conflict || '';
    const finished = !!item.outcome;
    $('decision').hidden = finished;
    if (finished) {
      $('countdown').textContent = `${item.outcome.disposition} by ${item.outcome.decidedBy}${item.outcome.category ? ` (${item.outcome.category})` : ''}`;
    }
    resetDecision(item);
    tick();
    loadAudit(item.caseId);
  }

  async function loadAudit(caseId) {
    const request = ++auditRequest;
    const list = $('audit');
    clear(list);
    list.appendChild(el('li', 'Loading…', 'muted'));
    try {
      const { status, body } = await api(`/api/cases/${encodeURIComponent(caseId)}`);
      if (request !== auditRequest) return;
      clear(list);
      if (status !== 200) { list.appendChild(el('li', (body && body.detail) || `Audit trail unavailable (${status}).`, 'muted')); return; }
      for (const entry of body.audit || []) {
        list.appendChild(el('li', `${new Date(entry.recordedAt).toLocaleTimeString()} · ${entry.stage} · ${entry.summary}${entry.error ? ` · ${entry.error}` : ''}`));
      }
    } catch { /* signed out */ }
  }

  function tick() {
    const item = state.items[state.selected];
    if (item && !item.outcome) {
      const left = secondsLeft(item);
      const countdown = $('countdown');
      countdown.textContent = left > 0 ? `Timeout default in ${formatAge(left)}` : 'Deadline passed: the timeout default decides';
      countdown.classList.toggle('urgent', left < 300);
    }
    Array.from($('queue-list').children).forEach((li, i) => {
      const it = state.items[i];
      const left = li.querySelector('.left');
      if (it && left && !it.outcome) left.textContent = formatAge(secondsLeft(it));
    });
  }

  // ---- decision ------------------------------------------------------------------------------------------------
  function fillCategories(select, values) {
    clear(select);
    for (const value of values) { const o = el('option', value); o.value = value; select.appendChild(o); }
  }

  function resetDecision(item) {
    $('action-release').checked = false;
    $('action-block').checked = false;
    $('notes').value = '';
    $('decision-status').textContent = '';
    fillCategories($('decision-category'), categories);
    $('decision-category').value = item.verdict ? item.verdict.category : 'clean';
  }

  function choose(action) {
    const item = state.items[state.selected];
    if (!item || item.outcome) return;
    const category = $('decision-category');
    if (action === 'release') {
      $('action-release').checked = true;
      category.value = 'clean';
      $('decision-status').textContent = 'Release: press Enter to confirm.';
      $('confirm').focus();
    } else {
      $('action-block').checked = true;
      if (category.value === 'clean') category.value = item.verdict && item.verdict.category !== 'clean' ? item.verdict.category : categories[1];
      $('decision-status').textContent = 'Block: pick the category, then press Enter to confirm.';
      category.focus();
    }
  }

  $('action-release').addEventListener('change', () => choose('release'));
  $('action-block').addEventListener('change', () => choose('block'));

  async function confirmDecision() {
    const item = state.items[state.selected];
    if (!item || item.outcome || state.busy) return;
    const action = $('action-release').checked ? 'release' : $('action-block').checked ? 'block' : null;
    if (!action) { $('decision-status').textContent = 'Choose release (r) or block (b) first.'; return; }
    const category = action === 'release' ? 'clean' : $('decision-category').value;
    if (action === 'block' && category === 'clean') { $('decision-status').textContent = 'A block needs the violated category.'; $('decision-category').focus(); return; }
    state.busy = true;
    $('decision-status').textContent = 'Sending…';
    try {
      const notes = $('notes').value.trim();
      const { status, body } = await api(`/api/reviews/${encodeURIComponent(item.caseId)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(notes ? { action, category, notes } : { action, category }),
      });
      if (status === 202) {
        const index = state.selected;
        state.items.splice(index, 1);
        state.selected = -1;
        renderQueue();
        if (state.items.length > 0) select(Math.min(index, state.items.length - 1));
        else renderCase(null);
        announce(`Case ${item.caseId}: ${action === 'release' ? 'released' : `blocked as ${category}`}.`);
        loadStatus();
      } else if (status === 409) {
        // Another reviewer (or the deadline) decided first: show it, never retry over it.
        state.decided.set(item.caseId, `Conflict: ${(body && body.detail) || 'this case was already decided.'} Your decision was not applied.`);
        renderQueue();
        select(state.selected, { focus: false });
        $('conflict').focus();
      } else {
        const problems = body && body.problems ? ` ${body.problems.join(' ')}` : '';
        $('decision-status').textContent = `Not accepted (${status}): ${(body && body.detail) || ''}${problems}`;
      }
    } catch (error) {
      if (error.message !== 'unauthorized') $('decision-status').textContent = `Not sent: ${error.message}. Try again.`;
    } finally {
      state.busy = false;
    }
  }

  // Said on the next case's status line (a live region), so the reviewer hears what just happened.
  function announce(text) { $('decision-status').textContent = text; }

  $('decision').addEventListener('submit', (event) => { event.preventDefault(); confirmDecision(); });
  $('conflict').tabIndex = -1;

  // ---- keyboard ------------------------------------------------------------------------------------------------
  document.addEventListener('keydown', (event) => {
    if ($('console').hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const tag = target && target.tagName;
    if (tag === 'TEXTAREA' || tag === 'INPUT' && target.type !== 'radio') {
      if (event.key === 'Escape') { target.blur(); focusSelected(); }
      return;
    }
    if (tag === 'SELECT') {
      if (event.key === 'Enter') { event.preventDefault(); confirmDecision(); }
      else if (event.key === 'Escape') { focusSelected(); }
      return;
    }
    switch (event.key) {
      case 'j': case 'ArrowDown': event.preventDefault(); move(1); break;
      case 'k': case 'ArrowUp': event.preventDefault(); move(-1); break;
      case 'r': event.preventDefault(); choose('release'); break;
      case 'b': event.preventDefault(); choose('block'); break;
      case 'n': event.preventDefault(); $('notes').focus(); break;
      case 'Escape': focusSelected(); break;
      case 'Enter':
        if (tag === 'BUTTON' && target.id !== 'confirm') return; // other buttons keep their own Enter
        event.preventDefault();
        confirmDecision();
        break;
      default: break;
    }
  });

  function focusSelected() {
    const li = $('queue-list').children[state.selected];
    if (li) li.focus();
  }

  // ---- start ---------------------------------------------------------------------------------------------------
  let timers = [];

  async function start() {
    timers.forEach(clearInterval);
    timers = [];
    // Behind App Service authentication no key is needed: the first call tells.
    const probe = await fetch('/api/review-queue', { headers: credentials(), credentials: 'same-origin' });
    if (probe.status === 401) { showSignIn((await probe.json().catch(() => ({}))).detail); return; }
    $('sign-in').hidden = true;
    $('console').hidden = false;
    $('sign-out').hidden = !store.getItem('reviewKey');
    $('who').textContent = store.getItem('reviewerId') ? `Reviewer: ${store.getItem('reviewerId')}` : '';
    await Promise.all([loadQueue(), loadStatus()]);
    focusSelected();
    timers.push(setInterval(tick, 1000));
    timers.push(setInterval(() => loadStatus().catch(() => {}), 5000));
    timers.push(setInterval(() => { if (!state.busy) loadQueue().catch(() => {}); }, 15000));
  }

  fillCategories($('category-filter'), ['', ...categories]);
  $('category-filter').options[0].textContent = 'All';
  start().catch(() => {});
})();
