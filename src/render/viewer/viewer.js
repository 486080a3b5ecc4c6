// protokit trace viewer: draws the space-time diagram and the step panel from the JSON in
// #trace-data (built by src/render/html.ts). Inlined into every HTML trace; loads nothing.
// Every string from the trace goes in with textContent, never as markup.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('trace-data').textContent);
  const last = data.steps.length - 1;
  const SVG = 'http://www.w3.org/2000/svg';

  // ---- small DOM helpers --------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function titled(node, text) {
    node.append(svg('title', {}, text));
    return node;
  }

  // ---- page skeleton ------------------------------------------------------------------------
  const facts = el('dl', {});
  for (const f of data.facts) facts.append(el('dt', {}, f.label), el('dd', {}, f.text));
  if (data.violation) {
    const v = data.violation;
    facts.append(el('dt', {}, 'violates'), el('dd', { class: 'violates' }, `${v.property} at step ${v.step}${v.description ? ` — ${v.description}` : ''}`));
    if (typeof v.loopStart === 'number') {
      const loop = v.loopStart >= v.step ? `from step ${v.step} on the world stays as it is forever` : `steps ${v.loopStart + 1}–${v.step} repeat forever`;
      facts.append(el('dt', {}, 'lasso'), el('dd', { class: 'violates' }, loop));
    }
  }
  const slider = el('input', { type: 'range', id: 'step-slider', min: '0', max: String(last), value: '0', 'aria-label': 'step' });
  const prev = el('button', { id: 'prev', title: 'previous step (←)' }, '◀');
  const next = el('button', { id: 'next', title: 'next step (→)' }, '▶');
  const stepLabel = el('span', { id: 'step-label' });
  const controls = el('div', { class: 'controls' }, prev, next, stepLabel, slider,
    el('span', { class: 'hint' }, '← → or j k: step · Home End · v: violation'));
  const diagram = el('div', { class: 'diagram', id: 'diagram' });
  const panel = el('section', { class: 'panel', id: 'panel' });
  // A linearizability violation's history (markup built and escaped by src/render/html.ts) goes
  // under the header, above the diagram.
  const history = document.getElementById('history');
  document.body.append(el('header', {}, el('h1', {}, data.title), facts), ...(history ? [history] : []), controls, el('main', {}, diagram, panel));

  // ---- the space-time diagram ---------------------------------------------------------------
  // Widths of labels are measured in the fonts they are drawn with (viewer.css), so lanes are
  // wide enough for the longest message name and no label runs into the action column.
  const measure = document.createElement('canvas').getContext('2d');
  const textWidth = (t, font) => {
    measure.font = font;
    return measure.measureText(t).width;
  };
  const SMALL = '10.5px system-ui, sans-serif';
  const MONO = '12px ui-monospace, "DejaVu Sans Mono", Menlo, monospace';
  const msgLabelW = Math.max(0, ...data.messages.map((m) => textWidth(m.type, SMALL)));
  const envLabelW = Math.max(0, ...data.steps.filter((s) => s.kind === 'env').map((s) => textWidth(s.label, SMALL)));
  const headW = Math.max(...data.nodes.map((n) => Math.max(textWidth(n.id, 'bold 12px system-ui, sans-serif'), textWidth(n.role, '11px system-ui, sans-serif'))));
  const charW = textWidth('0123456789', MONO) / 10;
  const STEP_COL = 36, TOP = 50, ROW_H = 30, MIN_TEXT = 30;
  // Lanes as wide as their longest label when the box leaves room for the action column; narrower
  // when it does not (five or seven lanes), down to their heads' width. Labels never overlap at
  // any width: each sits in its own step's row (see below), and may cross a lane line.
  const roomy = Math.min(180, Math.ceil(Math.max(104, msgLabelW + 20, envLabelW + 24)));
  const narrowest = Math.ceil(Math.max(64, headW + 12));
  const fits = Math.floor((diagram.clientWidth - STEP_COL - 24 - MIN_TEXT * charW - 16) / data.nodes.length);
  const LANE_W = Math.max(narrowest, Math.min(roomy, fits));
  const laneIndex = new Map(data.nodes.map((n, i) => [n.id, i]));
  const laneX = (id) => STEP_COL + 14 + laneIndex.get(id) * LANE_W + LANE_W / 2;
  const rowY = (k) => TOP + k * ROW_H + ROW_H / 2;
  const lanesRight = STEP_COL + 14 + data.nodes.length * LANE_W;
  // A label beside the last lane may reach past it: the action column starts after it.
  const lastLane = data.nodes[data.nodes.length - 1].id;
  const envLastW = Math.max(0, ...data.steps.filter((s) => s.kind === 'env' && s.node === lastLane).map((s) => textWidth(s.label, SMALL)));
  const msgLastW = Math.max(0, ...data.messages.filter((m) => m.to === lastLane).map((m) => textWidth(m.type, SMALL)));
  const textX = Math.ceil(lanesRight + 10 + Math.max(0, envLastW + 9 - LANE_W / 2, msgLastW / 2 - LANE_W / 2));
  // Actions are cut to fit the diagram's box (the panel and the tooltip show them whole).
  const room = Math.floor((diagram.clientWidth - textX - 16) / charW);
  const maxText = Math.max(MIN_TEXT, room);
  const short = (t) => (t.length > maxText ? t.slice(0, maxText - 1) + '…' : t);
  const longest = Math.max(...data.steps.map((s) => short(s.text).length));
  const width = Math.ceil(textX + longest * charW + 16);
  // Room below the last step for the stubs of messages still in flight at the end.
  const stubs = data.messages.some((m) => m.deliveredAt.length === 0 && m.droppedAt === null);
  const height = TOP + data.steps.length * ROW_H + (stubs ? ROW_H + 6 : 14);
  const bottom = height - 8;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'space-time diagram' });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#2563eb' }));
  defs.append(marker);
  root.append(defs);

  const rows = data.steps.map((s) => {
    const rect = svg('rect', { class: 'row' + (data.violation && data.violation.step === s.step ? ' violation' : ''), x: 0, y: TOP + s.step * ROW_H, width, height: ROW_H, 'data-step': s.step });
    rect.addEventListener('click', () => select(s.step));
    root.append(rect);
    return rect;
  });
  // Labels go on a layer above every line, so their white halo keeps them readable where a line crosses.
  const labels = svg('g', { class: 'labels' });
  const stepped = []; // [element, step at which it appears]
  const arrows = []; // [element, sent step, end step or Infinity]

  for (const p of data.partitions) {
    const y0 = rowY(p.from), y1 = p.to === null ? bottom : rowY(p.to);
    const band = titled(svg('rect', { class: 'partition', x: STEP_COL + 8, y: y0, width: data.nodes.length * LANE_W + 12, height: Math.max(y1 - y0, 4), rx: 4 }), `partition ${p.text}`);
    root.append(band);
    // The label sits in the partition's own row, above its band, where no message label can be.
    const label = svg('text', { class: 'partition-label', x: STEP_COL + 14, y: y0 - 3 }, `partition ${p.text}`);
    labels.append(label);
    stepped.push([band, p.from], [label, p.from]);
  }

  data.nodes.forEach((n) => {
    const x = laneX(n.id);
    root.append(svg('text', { class: 'lane-head', x, y: 20 }, n.id), svg('text', { class: 'lane-role', x, y: 34 }, n.role));
    root.append(svg('line', { class: 'lane', x1: x, x2: x, y1: TOP + 4, y2: bottom }));
    for (const d of data.downtimes.filter((d) => d.node === n.id)) {
      const down = svg('line', { class: 'lane down', x1: x, x2: x, y1: rowY(d.from), y2: d.to === null ? bottom : rowY(d.to) });
      root.append(down);
      stepped.push([down, d.from]);
    }
  });

  for (const s of data.steps) {
    const y = rowY(s.step);
    const isViolation = data.violation && data.violation.step === s.step;
    const inLoop = data.violation && typeof data.violation.loopStart === 'number' && s.step > data.violation.loopStart;
    root.append(svg('text', { class: 'step-no' + (isViolation ? ' violation-mark' : ''), x: STEP_COL, y: y + 4 }, isViolation ? `✗ ${s.step}` : inLoop ? `↻ ${s.step}` : String(s.step)));
    const t = svg('text', { class: 'action-text' + (isViolation ? ' violation' : ''), x: textX, y: y + 4 }, short(s.text));
    root.append(titled(t, `${s.step}. ${s.text}`));
    if (s.node === null) continue;
    const x = laneX(s.node);
    let mark;
    if (s.kind === 'crash') {
      mark = svg('g', { class: 'crash' });
      mark.append(svg('line', { x1: x - 6, y1: y - 6, x2: x + 6, y2: y + 6 }), svg('line', { x1: x - 6, y1: y + 6, x2: x + 6, y2: y - 6 }));
    } else if (s.kind === 'restart') {
      mark = svg('circle', { class: 'restart', cx: x, cy: y, r: 5.5 });
    } else {
      mark = svg('circle', { class: 'env', cx: x, cy: y, r: 4.5 });
    }
    root.append(titled(mark, `${s.step}. ${s.text}`));
    stepped.push([mark, s.step]);
    if (s.kind === 'env') {
      // Crash and restart markers speak for themselves; an event is named beside its dot.
      const label = svg('text', { class: 'env-label', x: x + 9, y: y - 5 }, s.label);
      labels.append(label);
      stepped.push([label, s.step]);
    }
  }

  for (const m of data.messages) {
    const x0 = laneX(m.from), y0 = rowY(m.sentAt), x1 = laneX(m.to);
    const ends = m.deliveredAt.length ? m.deliveredAt : [m.droppedAt === null ? null : m.droppedAt];
    for (const end of ends) {
      let line;
      if (end === null) {
        // Never delivered in this trace: a short dashed stub towards its receiver.
        const dx = x1 === x0 ? 0 : Math.sign(x1 - x0) * Math.min(32, Math.abs(x1 - x0) * 0.35);
        line = svg('line', { class: 'msg undelivered', x1: x0, y1: y0, x2: x0 + dx, y2: y0 + ROW_H * 0.4 });
      } else if (m.droppedAt === end && !m.deliveredAt.includes(end)) {
        const xm = x0 + (x1 - x0) * 0.5, ym = rowY(end);
        line = svg('g', {});
        line.append(svg('line', { class: 'msg dropped', x1: x0, y1: y0, x2: xm, y2: ym }));
        line.append(svg('line', { class: 'cross', x1: xm - 5, y1: ym - 5, x2: xm + 5, y2: ym + 5 }), svg('line', { class: 'cross', x1: xm - 5, y1: ym + 5, x2: xm + 5, y2: ym - 5 }));
      } else if (m.from === m.to) {
        // A message to itself: a loop beside its lane.
        const y1 = rowY(end), bulge = LANE_W * 0.4;
        line = svg('path', { class: 'msg', d: `M${x0},${y0} C${x0 + bulge},${y0} ${x0 + bulge},${y1} ${x0 + 2},${y1}`, 'marker-end': 'url(#arrow)' });
      } else {
        line = svg('line', { class: 'msg', x1: x0, y1: y0, x2: x1, y2: rowY(end), 'marker-end': 'url(#arrow)' });
      }
      const fate = end === null ? 'still in flight' : m.deliveredAt.includes(end) ? `delivered at step ${end}` : `lost at step ${end}`;
      titled(line, `${m.text}: sent at step ${m.sentAt}${m.copyOf !== null ? ' (a duplicate)' : ''}, ${fate}`);
      root.append(line);
      arrows.push([line, m.sentAt, end === null ? Infinity : end]);
      // A stub has no label (its tooltip and the in-flight list name it): stubs side by side would overlap.
      if (end === null) continue;
      // The label sits on the arrow half a row above its delivery: one delivery per step, so
      // labels of different messages are a row apart and never overlap.
      const ye = rowY(end);
      const along = (ye - ROW_H / 2 - y0) / (ye - y0);
      const at = m.deliveredAt.includes(end) ? { x: x0 + (x1 - x0) * along, y: ye - ROW_H / 2 + 4 } : { x: x0 + (x1 - x0) * 0.5 + 8, y: ye - 6 };
      // Kept clear of the step numbers on the left.
      const x = Math.max(at.x, STEP_COL + 8 + textWidth(m.type, SMALL) / 2);
      const label = svg('text', { class: 'msg-label', x, y: at.y, 'text-anchor': 'middle' }, m.type);
      labels.append(label);
      arrows.push([label, m.sentAt, end]);
    }
  }
  root.append(labels);
  diagram.append(root);

  // ---- the step panel -----------------------------------------------------------------------
  const heading = el('h2', { id: 'action' });
  const violation = el('div', { id: 'violation', role: 'alert' });
  const ahead = el('div', { id: 'ahead' });
  const nodes = el('div', { id: 'nodes' });
  const sent = el('ul', { id: 'sent' });
  const observed = el('ul', { id: 'observed' });
  const inFlightTitle = el('h3', { id: 'inflight-title' });
  const inFlight = el('ul', { id: 'inflight' });
  panel.append(heading, violation, ahead, el('h3', {}, 'nodes'), nodes, el('h3', {}, 'sent'), sent, el('h3', {}, 'observed'), observed, inFlightTitle, inFlight);

  function fill(list, items) {
    list.replaceChildren(...(items.length ? items.map((t) => el('li', { class: 'mono' }, t)) : [el('li', { class: 'none' }, 'none')]));
  }

  function nodeCard(n) {
    const changed = n.changes.length > 0;
    const card = el('div', { class: `node${changed ? ' changed' : ''}${n.up ? '' : ' down'}`, 'data-node': n.id });
    const role = data.nodes[laneIndex.get(n.id)].role;
    card.append(el('div', { class: 'head' }, el('span', { class: 'id' }, n.id), el('span', { class: 'role' }, role), el('span', { class: 'state' }, n.state)));
    const table = el('table', { class: 'mono' });
    // Fields that keep one value through the whole trace (an id, the peers) share one quiet line.
    const constant = n.up ? n.fields.filter((f) => f.constant) : [];
    for (const f of n.fields) if (!constant.includes(f)) table.append(el('tr', f.changed ? { class: 'changed', 'data-key': f.key } : { 'data-key': f.key }, el('td', { class: 'key' }, f.key), el('td', {}, f.value)));
    if (constant.length) table.append(el('tr', { class: 'constant' }, el('td', { colspan: '2' }, constant.map((f) => `${f.key} ${f.value}`).join(' · '))));
    if (!n.up) table.append(el('tr', {}, el('td', { class: 'key' }, ''), el('td', { class: 'none' }, n.fields.length ? '(only the persisted fields survive)' : '(nothing persisted)')));
    card.append(table);
    if (changed) card.append(el('div', { class: 'changes' }, n.changes.join('; ')));
    return card;
  }

  // ---- selecting a step ---------------------------------------------------------------------
  let current = 0;
  function select(k) {
    current = Math.max(0, Math.min(last, k));
    const s = data.steps[current];
    slider.value = String(current);
    stepLabel.textContent = `step ${current} / ${last}`;
    rows.forEach((r, i) => r.classList.toggle('selected', i === current));
    for (const [node, at] of stepped) node.classList.toggle('future', at > current);
    for (const [node, from, to] of arrows) {
      node.classList.toggle('future', from > current);
      node.classList.toggle('pending', from <= current && current < to); // sent, not yet delivered
    }
    heading.textContent = current === 0 ? 'Step 0: the initial world' : `Step ${current}: ${s.text}`;
    const v = data.violation;
    const here = v !== null && v.step === current;
    violation.classList.toggle('shown', here);
    violation.replaceChildren(...(here ? [`✗ ${v.property} violated: ${v.message}`, el('small', {}, v.description)] : []));
    ahead.textContent = v === null ? 'No property is violated in this trace.' : current < v.step ? `${v.property} is violated at step ${v.step}.` : here ? '' : `${v.property} was violated at step ${v.step}.`;
    nodes.replaceChildren(...s.nodes.map(nodeCard));
    fill(sent, s.sent);
    fill(observed, s.observed);
    inFlightTitle.textContent = `in flight (${s.inFlight.length})`;
    fill(inFlight, s.inFlight);
    rows[current].scrollIntoView({ block: 'nearest' });
    try {
      history.replaceState(null, '', `#step=${current}`); // a link to this step
    } catch (_) {
      // some browsers refuse history changes for local files; stepping works without it
    }
  }

  slider.addEventListener('input', () => select(Number(slider.value)));
  prev.addEventListener('click', () => select(current - 1));
  next.addEventListener('click', () => select(current + 1));
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const keys = {
      ArrowRight: current + 1, ArrowDown: current + 1, j: current + 1,
      ArrowLeft: current - 1, ArrowUp: current - 1, k: current - 1,
      Home: 0, End: last, v: data.violation ? data.violation.step : current,
    };
    if (!(event.key in keys)) return;
    event.preventDefault(); // the slider would also move on arrow keys: step once
    select(keys[event.key]);
  });
  // It opens at the violation (or at the step a link names: `#step=N`), where the reader starts.
  const fromHash = /^#step=(\d+)$/.exec(location.hash);
  select(fromHash ? Number(fromHash[1]) : data.violation ? data.violation.step : 0);
})();
