// protokit studio: the page. It asks the server (src/studio/server.ts) for the world at the path
// in its address and draws it; every step, branch and search is the server's, on the engine's own
// stepping. Every string from a suite or a trace goes in with textContent, never as markup.
(function () {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  let session = null;
  let snapshot = null;
  /** The path remembered ahead of the current one (after stepping back, or from an opened trace). */
  let ahead = [];
  /** Requests answered out of order are dropped: only the latest draws. */
  let latest = 0;

  // ---- small DOM helpers --------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  const byId = (id) => document.getElementById(id);
  const field = (label, input) => el('label', {}, el('span', {}, label), input);

  async function api(path, query, init) {
    const url = `${path}?${query ? `${query}&` : ''}token=${encodeURIComponent(token)}`;
    const response = await fetch(url, { ...(init || {}), headers: { 'x-protokit-token': token, ...((init && init.headers) || {}) } });
    const body = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
    if (!response.ok) throw new Error(body.error || `the server answered ${response.status}`);
    return body;
  }
  function showError(error) {
    byId('error').textContent = error ? String(error.message || error) : '';
    byId('error').hidden = !error;
  }

  // ---- the address: model, config, mutant, faults, network, path ----------------------------
  function stateQuery() {
    return new URLSearchParams(location.hash.slice(1));
  }
  function pathOf(query) {
    const text = query.get('path') || '';
    return text === '' ? [] : text.split('.').map(Number);
  }
  function withPath(query, path) {
    const q = new URLSearchParams(query);
    q.set('path', path.join('.'));
    return q;
  }
  /** Goes to `query`: a new history entry, so the browser's back and forward walk it too. */
  function go(query) {
    const text = query.toString();
    if (location.hash.slice(1) === text) draw();
    else location.hash = text;
  }
  const samePrefix = (short, long) => short.length <= long.length && short.every((x, k) => long[k] === x);

  // ---- page skeleton ------------------------------------------------------------------------
  const modelSelect = el('select', { id: 'model', 'aria-label': 'model' });
  const configInput = el('input', { id: 'config', placeholder: 'key=value …', size: 28 });
  const mutantSelect = el('select', { id: 'mutant', 'aria-label': 'mutant' });
  const faultsInput = el('input', { id: 'faults', placeholder: "model's", size: 22 });
  const networkSelect = el('select', { id: 'network' }, el('option', { value: '' }, "model's"), ...['unordered', 'fifo', 'set'].map((n) => el('option', { value: n }, n)));
  const openButton = el('button', { id: 'open', type: 'button' }, 'Open at the initial world');
  const seedInput = el('input', { id: 'random-seed', type: 'number', min: 0, value: 1, size: 6 });
  const depthInput = el('input', { id: 'random-depth', type: 'number', min: 1, max: 1000, value: 30, size: 5 });
  const randomButton = el('button', { id: 'random', type: 'button' }, 'Random run');
  const traceSelect = el('select', { id: 'trace-select', 'aria-label': 'saved trace' });
  const traceButton = el('button', { id: 'open-trace', type: 'button' }, 'Open trace');
  const backButton = el('button', { id: 'back', type: 'button', title: 'one step back (←)' }, '◀ back');
  const forwardButton = el('button', { id: 'forward', type: 'button', title: 'one step forward along the remembered path (→)' }, 'forward ▶');
  const stepLabel = el('span', { id: 'step-label' });
  const linkInput = el('input', { id: 'link', readonly: true, size: 40, 'aria-label': 'link to this state' });
  const saveName = el('input', { id: 'save-name', placeholder: 'trace name', size: 16 });
  const saveButton = el('button', { id: 'save', type: 'button' }, 'Save as trace');
  const saveResult = el('span', { id: 'save-result', class: 'note' });
  const filterInput = el('input', { id: 'filter', type: 'search', placeholder: 'filter actions (node, kind, message…)', size: 30 });
  const findProperty = el('select', { id: 'find-property', 'aria-label': 'property to find' });
  const findMode = el('select', { id: 'find-mode' }, el('option', { value: 'bfs' }, 'breadth-first (shortest)'), el('option', { value: 'random' }, 'random runs'));
  const findStates = el('input', { id: 'find-states', type: 'number', min: 1, value: 50000, size: 8 });
  const findDepth = el('input', { id: 'find-depth', type: 'number', min: 1, value: 60, size: 5 });
  const findRuns = el('input', { id: 'find-runs', type: 'number', min: 1, value: 2000, size: 6 });
  const findSeed = el('input', { id: 'find-seed', type: 'number', min: 0, value: 1, size: 6 });
  const findButton = el('button', { id: 'find', type: 'button' }, 'Find');
  const findResult = el('p', { id: 'find-result', class: 'note' });
  /** A fresh frame for each world: a frame navigated again would add entries to the page's history (and Back would walk the frame). */
  function diagramFrame(src) {
    return el('iframe', { id: 'diagram-frame', sandbox: 'allow-scripts', title: 'the path as a sequence diagram', src });
  }

  document.body.append(
    el('header', {},
      el('h1', {}, 'protokit studio ', el('span', { id: 'title' })),
      el('dl', { id: 'facts' })),
    el('div', { class: 'bar', id: 'setup' }, field('model', modelSelect), field('config', configInput), field('mutant', mutantSelect), field('faults', faultsInput), field('network', networkSelect), openButton),
    el('div', { class: 'bar', id: 'starts' }, el('span', { class: 'lead' }, 'or start from'), field('seed', seedInput), field('steps', depthInput), randomButton, field('trace', traceSelect), traceButton),
    el('div', { class: 'bar', id: 'nav' }, backButton, forwardButton, stepLabel, field('link', linkInput), saveName, saveButton, saveResult),
    el('p', { id: 'error', class: 'error', role: 'alert', hidden: true }),
    el('main', {},
      el('section', { id: 'left' },
        el('h2', {}, 'Path'), el('ol', { id: 'path', start: 0 }),
        el('h2', {}, 'Properties here'), el('ul', { id: 'properties' }),
        el('h2', {}, 'Find from here'),
        el('div', { class: 'find' }, field('property', findProperty), field('search', findMode), field('states ≤', findStates), field('steps ≤', findDepth), field('runs ≤', findRuns), field('seed', findSeed), findButton),
        findResult),
      el('section', { id: 'middle' },
        el('h2', { id: 'actions-title' }, 'Enabled actions'), filterInput, el('div', { id: 'actions' })),
      el('section', { id: 'right' },
        el('h2', {}, 'Nodes'), el('div', { id: 'nodes' }),
        el('h2', { id: 'inflight-title' }, 'In flight'), el('ul', { id: 'inflight' }),
        el('h2', {}, 'Faults'), el('p', { id: 'faults-used' }), el('p', { id: 'partition' }))),
    el('section', { id: 'diagram' }, el('h2', {}, 'The path as a sequence diagram'), diagramFrame('about:blank')));

  // ---- drawing ------------------------------------------------------------------------------
  function drawFacts(s) {
    byId('title').textContent = s.title;
    const facts = byId('facts');
    facts.replaceChildren(...s.facts.flatMap((f) => [el('dt', {}, f.label), el('dd', {}, f.text)]));
  }

  function drawPath(s, query) {
    const path = pathOf(query);
    const list = byId('path');
    const items = [el('li', { 'data-step': 0, class: `step${path.length === 0 ? ' current' : ''}${s.initialViolations.length ? ' violation' : ''}` }, el('button', { type: 'button', class: 'link' }, 'the initial world'))];
    s.path.forEach((p, k) => {
      const li = el('li', { 'data-step': k + 1, class: `step${k + 1 === path.length ? ' current' : ''}${p.violations.length ? ' violation' : ''}` }, el('button', { type: 'button', class: 'link' }, p.text));
      if (p.violations.length) li.append(el('span', { class: 'violates' }, ` ✗ ${p.violations.join(', ')}`));
      items.push(li);
    });
    // The remembered steps ahead (after going back, or the rest of an opened trace).
    if (samePrefix(path, ahead)) {
      (s.ahead || []).forEach((text, j) => items.push(el('li', { 'data-step': path.length + j + 1, class: 'step ahead' }, el('button', { type: 'button', class: 'link' }, text))));
    }
    list.replaceChildren(...items);
    list.querySelectorAll('li').forEach((li) => {
      li.querySelector('button').addEventListener('click', () => {
        // Jumping back keeps where we were as the path ahead.
        if (!samePrefix(path, ahead)) ahead = path;
        go(withPath(query, ahead.slice(0, Number(li.getAttribute('data-step')))));
      });
    });
    // The current step in view inside the list (the list scrolls, not the page).
    const current = list.querySelector('li.current');
    if (current) list.scrollTop = Math.max(0, current.offsetTop - list.clientHeight / 2);
    stepLabel.textContent = `step ${path.length}${ahead.length > path.length && samePrefix(path, ahead) ? ` of ${ahead.length}` : ''}`;
    backButton.disabled = path.length === 0;
    forwardButton.disabled = !(ahead.length > path.length && samePrefix(path, ahead));
  }

  const STATUS_MARK = { holds: '✓', violated: '✗', reached: '✓', 'not-reached': '○', met: '✓', pending: '…', owed: '⏳', error: '!' };
  function drawProperties(s) {
    byId('properties').replaceChildren(...s.properties.map((p) =>
      el('li', { 'data-property': p.name, class: `prop status-${p.status}`, title: p.description },
        el('span', { class: 'mark' }, STATUS_MARK[p.status] || '?'), ' ',
        el('span', { class: 'name' }, p.name), el('span', { class: 'kind' }, ` ${p.kind}`),
        el('div', { class: 'verdict' }, p.text))));
    const chosen = findProperty.value;
    const findable = s.properties.filter((p) => p.kind === 'always' || p.kind === 'always-step' || p.kind === 'sometimes');
    findProperty.replaceChildren(...findable.map((p) => el('option', { value: p.name }, `${p.kind === 'sometimes' ? 'reach' : 'violate'} ${p.name}`)));
    if (findable.some((p) => p.name === chosen)) findProperty.value = chosen;
  }

  /** A value longer than this is collapsed: its first part shows, the rest opens on a click. */
  const LONG = 90;
  function valueCell(text) {
    if (text.length <= LONG) return el('td', {}, text);
    return el('td', {}, el('details', {}, el('summary', {}, `${text.slice(0, LONG)}… (${text.length} characters)`), el('div', { class: 'full' }, text)));
  }
  function drawNodes(s) {
    byId('nodes').replaceChildren(...s.nodes.map((n) => {
      const changed = n.changes.length > 0;
      return el('div', { class: `node${n.up ? '' : ' down'}${changed ? ' changed' : ''}`, 'data-node': n.id },
        el('div', { class: 'head' }, el('strong', {}, n.id), el('span', { class: 'role' }, ` ${n.role} `), el('span', { class: 'state' }, n.state)),
        changed ? el('div', { class: 'changes' }, n.changes.join('; ')) : null,
        el('table', {}, ...n.fields.map((f) => el('tr', { 'data-key': f.key, class: f.changed ? 'changed' : '' }, el('th', {}, f.key), valueCell(f.value)))));
    }));
    byId('inflight-title').textContent = `In flight (${s.network.reduce((n, m) => n + m.copies, 0)})`;
    byId('inflight').replaceChildren(...(s.network.length ? s.network.map((m) =>
      el('li', { class: m.fate === 'deliverable' ? 'deliverable' : 'waiting' }, el('span', { class: 'msg' }, m.text), m.copies > 1 ? ` ×${m.copies}` : '', el('span', { class: 'fate' }, ` — sent at step ${m.sentAt}; ${m.fate}`))) : [el('li', { class: 'none' }, 'nothing')]));
    byId('faults-used').textContent = s.faults.map((f) => (f.bound > 0 ? `${f.kind} ${f.used} of ${f.bound}` : `${f.kind} off`)).join(' · ');
    byId('partition').textContent = s.partition ? `partition: ${s.partition}` : 'no partition';
  }

  function drawActions(s, query) {
    const path = pathOf(query);
    // Grouped by node (in the order they first appear), then by kind; large groups start closed.
    const groups = new Map();
    for (const a of s.actions) {
      if (!groups.has(a.node)) groups.set(a.node, new Map());
      const kinds = groups.get(a.node);
      if (!kinds.has(a.kind)) kinds.set(a.kind, []);
      kinds.get(a.kind).push(a);
    }
    const next = samePrefix(path, ahead) ? ahead[path.length] : undefined;
    const blocks = [];
    for (const [node, kinds] of groups) {
      const count = [...kinds.values()].reduce((n, list) => n + list.length, 0);
      const summary = el('summary', {}, el('strong', {}, node), ` — ${[...kinds].map(([kind, list]) => `${kind} ${list.length}`).join(', ')}`);
      const body = [];
      for (const [kind, list] of kinds) {
        body.push(el('div', { class: 'kind' }, kind));
        for (const a of list) {
          const button = el('button', { type: 'button', class: `action${a.index === next ? ' remembered' : ''}`, 'data-index': a.index, 'data-kind': a.kind, 'data-node': a.node },
            el('span', { class: 'text' }, a.text),
            ...a.effects.map((e) => el('span', { class: 'effect' }, e)));
          button.addEventListener('click', () => take(a.index));
          body.push(button);
        }
      }
      blocks.push(el('details', { class: 'group', 'data-group': node, open: count <= 40 }, summary, ...body));
    }
    byId('actions').scrollTop = 0;
    byId('actions').replaceChildren(...(blocks.length ? blocks : [el('p', { class: 'note' }, 'No action is enabled: the world stays as it is.')]));
    byId('actions-title').textContent = `Enabled actions (${s.actions.length})`;
    applyFilter();
  }

  function applyFilter() {
    const words = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    document.querySelectorAll('#actions details.group').forEach((group) => {
      let visible = 0;
      group.querySelectorAll('button.action').forEach((b) => {
        const text = `${b.getAttribute('data-node')} ${b.getAttribute('data-kind')} ${b.textContent}`.toLowerCase();
        const match = words.every((w) => text.includes(w));
        b.hidden = !match;
        if (match) visible++;
      });
      group.hidden = visible === 0;
      if (words.length && visible) group.open = true;
      shown += visible;
    });
    if (snapshot) byId('actions-title').textContent = `Enabled actions (${words.length ? `${shown} of ${snapshot.actions.length}` : snapshot.actions.length})`;
  }

  function take(index) {
    const query = stateQuery();
    const path = [...pathOf(query), index];
    // The same step as the remembered path keeps it; another one branches off it.
    if (!samePrefix(path, ahead)) ahead = path;
    go(withPath(query, path));
  }

  function drawSetup(query) {
    const model = query.get('model');
    if (modelSelect.value !== model) modelSelect.value = model;
    const info = session.models.find((m) => m.name === model);
    mutantSelect.replaceChildren(el('option', { value: '' }, 'none (the correct model)'), ...(info ? info.mutants : []).map((m) => el('option', { value: m.name, title: m.description }, m.name)));
    mutantSelect.value = query.get('mutant') || '';
    configInput.value = query.getAll('config').join(' ');
    faultsInput.value = query.get('faults') || '';
    networkSelect.value = query.get('network') || '';
    traceSelect.replaceChildren(...session.traces.filter((t) => t.model === model).map((t) =>
      el('option', { value: t.id }, `${t.file}${t.violation ? ` — ${t.violation.property} at step ${t.violation.step}` : ''}`)));
    traceButton.disabled = traceSelect.options.length === 0;
  }

  async function draw() {
    const query = stateQuery();
    if (!query.get('model')) {
      location.replace(`#${session.initial}`);
      return;
    }
    const ticket = ++latest;
    try {
      const aheadQuery = samePrefix(pathOf(query), ahead) && ahead.length > pathOf(query).length ? `&ahead=${ahead.join('.')}` : '';
      const s = await api('/api/state', query.toString() + aheadQuery);
      if (ticket !== latest) return;
      snapshot = s;
      showError(null);
      drawSetup(query);
      drawFacts(s);
      drawPath(s, query);
      drawProperties(s);
      drawNodes(s);
      drawActions(s, query);
      linkInput.value = location.href;
      byId('diagram-frame').replaceWith(diagramFrame(`/diagram?${query.toString()}&token=${encodeURIComponent(token)}#step=${s.step}`));
      document.body.setAttribute('data-ready', String(ticket));
    } catch (error) {
      if (ticket !== latest) return;
      showError(error);
      document.body.setAttribute('data-ready', String(ticket));
    }
  }

  // ---- controls -----------------------------------------------------------------------------
  function setupQuery() {
    const q = new URLSearchParams({ model: modelSelect.value });
    for (const pair of configInput.value.split(/\s+/).filter(Boolean)) q.append('config', pair);
    if (mutantSelect.value) q.set('mutant', mutantSelect.value);
    if (faultsInput.value.trim()) q.set('faults', faultsInput.value.trim());
    if (networkSelect.value) q.set('network', networkSelect.value);
    q.set('path', '');
    return q;
  }
  openButton.addEventListener('click', () => {
    ahead = [];
    go(setupQuery());
  });
  modelSelect.addEventListener('change', () => {
    configInput.value = '';
    mutantSelect.value = '';
    ahead = [];
    go(setupQuery());
  });
  mutantSelect.addEventListener('change', () => {
    ahead = [];
    go(setupQuery());
  });
  randomButton.addEventListener('click', async () => {
    try {
      const answer = await api('/api/random', `${setupQuery()}&seed=${encodeURIComponent(seedInput.value)}&depth=${encodeURIComponent(depthInput.value)}`);
      ahead = pathOf(new URLSearchParams(answer.query));
      go(new URLSearchParams(answer.query));
    } catch (error) {
      showError(error);
    }
  });
  traceButton.addEventListener('click', async () => {
    try {
      const answer = await api('/api/trace', `id=${encodeURIComponent(traceSelect.value)}`);
      const query = new URLSearchParams(answer.query);
      ahead = pathOf(query);
      // It opens at the violation (or at its end), with the whole trace remembered ahead.
      const at = answer.entry.violation ? answer.entry.violation.step : ahead.length;
      go(withPath(query, ahead.slice(0, at)));
    } catch (error) {
      showError(error);
    }
  });
  backButton.addEventListener('click', () => {
    const query = stateQuery();
    const path = pathOf(query);
    if (path.length === 0) return;
    if (!samePrefix(path, ahead)) ahead = path;
    go(withPath(query, path.slice(0, -1)));
  });
  forwardButton.addEventListener('click', () => {
    const query = stateQuery();
    const path = pathOf(query);
    if (ahead.length > path.length && samePrefix(path, ahead)) go(withPath(query, ahead.slice(0, path.length + 1)));
  });
  document.addEventListener('keydown', (event) => {
    // ← and → step, as in the trace viewer; not while typing in a box or with a modifier (Alt+← is the browser's).
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target instanceof HTMLElement && event.target.closest('input, select, textarea')) return;
    if (event.key === 'ArrowLeft') backButton.click();
    else if (event.key === 'ArrowRight') forwardButton.click();
    else return;
    event.preventDefault();
  });
  filterInput.addEventListener('input', applyFilter);
  findButton.addEventListener('click', async () => {
    const query = stateQuery();
    findResult.textContent = 'searching…';
    findResult.className = 'note';
    const params = new URLSearchParams(query);
    params.set('property', findProperty.value);
    params.set('mode', findMode.value);
    params.set('maxStates', findStates.value);
    params.set('depth', findDepth.value);
    params.set('runs', findRuns.value);
    params.set('seed', findSeed.value);
    try {
      const r = await api('/api/find', params.toString());
      const searched = r.runs ? `${r.runs} runs, ${r.steps} steps` : `${r.states} states, ${r.steps} steps`;
      if (r.query) {
        findResult.className = 'note found';
        findResult.textContent = `found ${r.property} ${r.found} step${r.found === 1 ? '' : 's'} from here (${searched}): ${r.message}`;
        const found = new URLSearchParams(r.query);
        ahead = pathOf(found);
        go(found);
      } else {
        findResult.className = `note ${r.complete ? 'absent' : 'cut'}`;
        findResult.textContent = `${r.message} (${searched})`;
      }
    } catch (error) {
      findResult.className = 'note error';
      findResult.textContent = String(error.message || error);
    }
  });
  saveButton.addEventListener('click', async () => {
    saveResult.textContent = '';
    try {
      const r = await api('/api/save', stateQuery().toString(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: saveName.value.trim() }) });
      saveResult.textContent = `wrote ${r.file} (${r.steps} steps${r.violation ? `, ${r.violation.property} violated at step ${r.violation.step}` : ''}); protokit replay reads it`;
    } catch (error) {
      saveResult.textContent = String(error.message || error);
    }
  });
  window.addEventListener('hashchange', draw);

  // ---- start --------------------------------------------------------------------------------
  api('/api/session', '').then((s) => {
    session = s;
    modelSelect.replaceChildren(...s.models.map((m) => el('option', { value: m.name, title: m.title }, m.name)));
    ahead = pathOf(stateQuery());
    draw();
  }, showError);
})();
