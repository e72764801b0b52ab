// The routing server's chat page. Answers are rendered as Markdown by the vendored markdown-it with raw HTML off,
// so HTML in an answer shows as text; links open in a new tab without a referrer. Conversations are kept in
// localStorage, the server key in sessionStorage (this tab only), never in the address.
'use strict';
(() => {
  const STORE = 'routellm.chats.v1';
  const KEY_STORE = 'routellm.key';
  const $ = (id) => document.getElementById(id);
  const log = $('log'), input = $('input'), send = $('send'), stop = $('stop'), keyField = $('key');

  const md = window.markdownit ? window.markdownit({ html: false, linkify: true, typographer: false }) : null;
  if (md) {
    const linkOpen = md.renderer.rules.link_open ||
      ((tokens, i, options, env, self) => self.renderToken(tokens, i, options));
    md.renderer.rules.link_open = (tokens, i, options, env, self) => {
      tokens[i].attrSet('target', '_blank');
      tokens[i].attrSet('rel', 'noopener noreferrer nofollow');
      return linkOpen(tokens, i, options, env, self);
    };
  }

  let chats = loadChats();
  let current = null;
  let controller = null; // the stream in progress, if any

  function loadChats() {
    try {
      const value = JSON.parse(localStorage.getItem(STORE));
      return Array.isArray(value) ? value.filter((c) => c && Array.isArray(c.messages)) : [];
    } catch (e) {
      return [];
    }
  }
  function saveChats() {
    try { localStorage.setItem(STORE, JSON.stringify(chats)); } catch (e) { /* storage full or off: memory only */ }
  }
  function headers() {
    const h = { 'Content-Type': 'application/json' };
    const key = keyField.value.trim();
    if (key) h.Authorization = 'Bearer ' + key;
    return h;
  }

  // ---- conversations ----
  function newChat() {
    current = { id: Date.now().toString(36) + Math.random().toString(36).slice(2, 6), title: 'New chat', messages: [] };
    chats.unshift(current);
    saveChats();
    renderList();
    renderChat();
    input.focus();
  }
  function openChat(chat) {
    if (controller) return;
    current = chat;
    renderList();
    renderChat();
    $('sidebar').classList.remove('open');
  }
  function deleteChat(chat) {
    if (controller && chat === current) return;
    chats = chats.filter((c) => c !== chat);
    saveChats();
    if (chat === current) {
      current = chats[0] || null;
      if (!current) { newChat(); return; }
    }
    renderList();
    renderChat();
  }
  function renderList() {
    const list = $('conversations');
    list.replaceChildren();
    for (const chat of chats) {
      const li = document.createElement('li');
      if (chat === current) li.className = 'current';
      const open = document.createElement('button');
      open.type = 'button'; open.className = 'open'; open.textContent = chat.title || 'New chat';
      open.title = chat.title || '';
      open.addEventListener('click', () => openChat(chat));
      const del = document.createElement('button');
      del.type = 'button'; del.className = 'delete'; del.textContent = '×';
      del.setAttribute('aria-label', 'Delete this conversation');
      del.addEventListener('click', () => deleteChat(chat));
      li.append(open, del);
      list.appendChild(li);
    }
  }
  function renderChat() {
    log.replaceChildren();
    for (const m of current.messages) addMessage(m);
    log.scrollTop = log.scrollHeight;
  }

  // ---- messages ----
  function addMessage(m) {
    const div = document.createElement('div');
    div.className = 'msg ' + m.role;
    if (m.role === 'user') {
      div.textContent = m.content;
    } else {
      const answer = document.createElement('div');
      answer.className = 'answer';
      div.appendChild(answer);
      div.answer = answer;
      showAnswer(div, m);
    }
    log.appendChild(div);
    return div;
  }
  function showAnswer(div, m) {
    renderMarkdown(div.answer, m.content);
    div.querySelectorAll('.details, .error-line').forEach((e) => e.remove());
    div.classList.remove('strong', 'weak');
    if (m.routing) {
      if (m.routing.tier) div.classList.add(m.routing.tier);
      div.appendChild(details(m.routing, m.model));
    }
    if (m.error) {
      const line = document.createElement('p');
      line.className = 'error-line';
      line.setAttribute('role', 'alert');
      line.textContent = (m.content ? 'The answer is incomplete: ' : 'Error: ') + m.error;
      div.appendChild(line);
    }
  }
  function renderMarkdown(target, text) {
    if (!md) { target.textContent = text; return; }
    target.innerHTML = md.render(text); // html: false, so any HTML in the text arrives escaped
    for (const pre of target.querySelectorAll('pre')) {
      const copy = document.createElement('button');
      copy.type = 'button'; copy.className = 'copy'; copy.textContent = 'Copy';
      copy.addEventListener('click', () => copyText(pre.querySelector('code') || pre, copy));
      pre.appendChild(copy);
    }
  }
  function copyText(code, button) {
    const text = code.textContent;
    const done = () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy'; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    } else {
      fallbackCopy(text, done);
    }
  }
  function fallbackCopy(text, done) {
    const area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { if (document.execCommand('copy')) done(); } finally { area.remove(); }
  }
  function money(v) {
    return v == null ? 'n/a' : '$' + Number(v).toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
  }
  function details(r, model) {
    const box = document.createElement('details');
    box.className = 'details';
    const summary = document.createElement('summary');
    const who = document.createElement('b');
    who.className = r.tier || ''; who.textContent = r.answered_by || model || '?';
    summary.append('answered by ', who, ' · ' + money(r.cost_usd) + (r.fell_back ? ' · fell back' : ''));
    box.appendChild(summary);
    const table = document.createElement('table');
    const row = (name, value) => {
      const tr = table.insertRow();
      const th = document.createElement('th'); th.textContent = name; tr.appendChild(th);
      tr.insertCell().textContent = value;
    };
    row('Chosen model', r.chosen_model);
    row('Router', r.router);
    row('Rule', r.rule);
    row('Score', (r.score == null ? 'n/a' : Number(r.score).toFixed(4)) +
      (r.threshold == null ? '' : ' vs threshold ' + Number(r.threshold).toFixed(4)));
    row('Reason', r.reason);
    if (r.fell_back) row('Fallback', 'the chosen model failed; ' + r.answered_by + ' answered');
    for (const c of r.candidates || []) {
      row('Candidate ' + c.model, (c.predicted_quality == null ? '' : 'predicted quality ' +
        Number(c.predicted_quality).toFixed(3) + ', ') + 'expected cost ' + money(c.expected_cost_usd) +
        (c.excluded ? ' (excluded: ' + c.excluded + ')' : ''));
    }
    for (const c of r.calls || []) {
      row('Call ' + c.model, (c.succeeded ? '' : 'failed · ') + c.prompt_tokens + ' in / ' + c.completion_tokens +
        ' out tokens · ' + money(c.cost_usd) + ' · ' + Math.round(c.latency_ms) + ' ms');
    }
    row('Decision time', Number(r.decision_ms).toFixed(2) + ' ms');
    row('Cost', money(r.cost_usd));
    box.appendChild(table);
    return box;
  }

  // ---- sending ----
  function history() {
    // what the server gets: user messages and the answers shown, minus turns that failed without any answer
    const out = [];
    for (const m of current.messages) {
      if (m.role === 'user' && !m.failed) out.push({ role: 'user', content: m.content });
      if (m.role === 'assistant' && m.content) out.push({ role: 'assistant', content: m.content });
    }
    return out;
  }
  function modelName() {
    let model = $('model').value;
    const t = $('threshold').value.trim();
    if (t !== '') model = model.replace(/-[0-9.]+$/, '') + '-' + t;
    return model;
  }
  function setStreaming(on) {
    send.disabled = on;
    stop.hidden = !on;
    $('new-chat').disabled = on;
  }
  async function submit() {
    if (controller) return;
    const text = input.value.trim();
    if (!text) return;
    if (!current) newChat();
    input.value = '';
    const user = { role: 'user', content: text };
    const messages = history().concat({ role: 'user', content: text });
    const answer = { role: 'assistant', content: '' };
    current.messages.push(user, answer);
    if (current.title === 'New chat') { current.title = text.slice(0, 60); renderList(); }
    saveChats();
    addMessage(user);
    const view = addMessage(answer);
    view.answer.classList.add('pending');
    log.scrollTop = log.scrollHeight;
    controller = new AbortController();
    setStreaming(true);
    try {
      await stream(messages, answer, view, controller.signal);
    } catch (err) {
      answer.error = err.name === 'AbortError' ? 'stopped' : err.message;
      if (!answer.content) user.failed = true;
    } finally {
      controller = null;
      setStreaming(false);
      view.answer.classList.remove('pending');
      showAnswer(view, answer);
      saveChats();
      loadTotals();
      input.focus();
    }
  }
  async function stream(messages, answer, view, signal) {
    let response;
    try {
      response = await fetch('/v1/chat/completions', {
        method: 'POST', headers: headers(), signal,
        body: JSON.stringify({ model: modelName(), messages, stream: true, stream_options: { include_usage: true } })
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error('could not reach the routing server (is it running?)');
    }
    if (!response.ok) throw new Error(await errorMessage(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '', finished = false, scheduled = false;
    const repaint = () => {
      scheduled = false;
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
      renderMarkdown(view.answer, answer.content);
      if (atBottom) log.scrollTop = log.scrollHeight;
    };
    for (;;) {
      let part;
      try {
        part = await reader.read();
      } catch (err) {
        if (err.name === 'AbortError') throw err;
        throw new Error('the connection to the routing server broke');
      }
      if (part.done) break;
      buffer += decoder.decode(part.value, { stream: true }).replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end); buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (!data) continue;
        if (data === '[DONE]') { finished = true; continue; }
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message || 'the routing server reported an error');
        const choice = chunk.choices && chunk.choices.length > 0 ? chunk.choices[0] : null;
        if (chunk.model) answer.model = chunk.model;
        if (choice && choice.delta && choice.delta.content) {
          answer.content += choice.delta.content;
          if (!scheduled) { scheduled = true; requestAnimationFrame(repaint); }
        }
        if (choice && choice.delta && choice.delta.refusal) answer.content += choice.delta.refusal;
        if (chunk.routing) answer.routing = chunk.routing;
      }
    }
    if (!finished) throw new Error('the answer was cut off: the connection closed before it was complete');
  }
  async function errorMessage(response) {
    let message = 'the routing server answered HTTP ' + response.status;
    try {
      const body = await response.json();
      message = (body.error && body.error.message) || body.message || message;
    } catch (e) { /* not JSON */ }
    if (response.status === 401) {
      openSidebar();
      keyField.focus();
      message += ' (enter the server key in the sidebar)';
    }
    return message;
  }

  // ---- header: routers and totals ----
  async function loadModels() {
    const select = $('model');
    try {
      const r = await fetch('/v1/models', { headers: headers() });
      if (!r.ok) return;
      const body = await r.json();
      const chosen = select.value;
      select.replaceChildren();
      for (const m of body.data || []) {
        const option = document.createElement('option'); option.textContent = m.id; select.appendChild(option);
      }
      if (chosen) select.value = chosen;
    } catch (e) { /* the server is down: sending says so */ }
  }
  async function loadTotals() {
    try {
      const r = await fetch('/stats', { headers: headers() });
      if (!r.ok) return;
      const s = await r.json();
      $('totals').textContent = `${s.requests} requests` + (s.failed_requests ? ` (${s.failed_requests} failed)` : '') +
        ` · strong ${(100 * s.strong_share).toFixed(0)}% · spent ${money(s.cost_usd)}` +
        ` · saved ${money(s.saving_usd)} (${(100 * s.saving_share).toFixed(0)}%) vs all-strong`;
    } catch (e) { /* no totals while the server is down */ }
  }
  function openSidebar() {
    $('sidebar').classList.add('open');
    $('toggle-chats').setAttribute('aria-expanded', 'true');
  }

  // ---- wiring ----
  $('form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  stop.addEventListener('click', () => { if (controller) controller.abort(); });
  $('new-chat').addEventListener('click', () => { if (!controller) newChat(); });
  $('toggle-chats').addEventListener('click', () => {
    const open = $('sidebar').classList.toggle('open');
    $('toggle-chats').setAttribute('aria-expanded', String(open));
  });
  $('key-form').addEventListener('submit', (e) => e.preventDefault());
  keyField.value = sessionStorage.getItem(KEY_STORE) || '';
  keyField.addEventListener('change', () => {
    sessionStorage.setItem(KEY_STORE, keyField.value.trim());
    loadModels(); loadTotals();
  });
  if (chats.length === 0) newChat(); else openChat(chats[0]);
  renderList();
  loadModels();
  loadTotals();
})();
