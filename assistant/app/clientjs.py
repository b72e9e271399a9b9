"""The page's own script (run once at load): spreadsheet-like typing and pasting into the grids, and
findings that highlight their cells. The grids' cells carry Gradio's ``data-testid="cell-R-C"``."""

from __future__ import annotations

PAGE_JS = r"""
() => {
  const gridOf = (el) => el && el.closest ? el.closest('[id^="grid_"]') : null;
  const cellOf = (el) => {
    const grid = gridOf(el);
    if (!grid) return null;
    const td = (el.closest && el.closest('[data-row][data-col]')) || grid.querySelector('[data-row][aria-selected="true"]');
    return td ? {grid, td, row: +td.dataset.row, col: +td.dataset.col} : null;
  };
  const setValue = (box, value) => {
    const proto = box.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(box, value);
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  // A block copied from Excel / WPS goes to the server as one undoable step, from the selected cell on.
  document.addEventListener('paste', (e) => {
    const at = cellOf(e.target);
    if (!at) return;
    const text = (e.clipboardData || window.clipboardData).getData('text/plain');
    if (!text) return;
    const editing = e.target.matches && e.target.matches('input, textarea');
    if (editing && !/[\t\n]/.test(text.replace(/\s+$/, ''))) return;  // one value typed into the open cell
    e.preventDefault();
    e.stopPropagation();
    const box = document.querySelector('#paste_payload textarea, #paste_payload input');
    const apply = document.querySelector('#paste_apply');
    if (!box || !apply) return;
    setValue(box, JSON.stringify({table: at.grid.id.slice(5), row: at.row, col: at.col, text}));
    setTimeout(() => apply.click(), 30);
  }, true);
  // Typing a digit into a selected cell replaces its value, as in a spreadsheet. Keys typed before the
  // cell's editor has opened are kept and go into it.
  let pending = null;
  document.addEventListener('keydown', (e) => {
    if (pending && !pending.commit && (e.key === 'Enter' || e.key === 'Tab') && cellOf(e.target)?.td === pending.td) {
      e.preventDefault();
      e.stopPropagation();
      pending.commit = e.key;  // pressed before the editor opened: committed once the value is in
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || !/^[0-9.\-]$/.test(e.key)) return;
    if (e.target.matches && e.target.matches('input, textarea')) return;
    const at = cellOf(e.target);
    if (!at || at.td.classList.contains('static')) return;
    e.preventDefault();
    e.stopPropagation();
    const here = {gridId: at.grid.id, row: at.row, col: at.col};
    const same = (p) => p && p.gridId === here.gridId && p.row === here.row && p.col === here.col;
    if (same(pending)) { pending.text += e.key; return; }  // more keys for the cell being opened
    const mine = pending = {...here, td: at.td, text: e.key};
    at.td.dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));
    // The grid may re-render meanwhile (the answer to a paste or a bulk action arriving late): the cell
    // is then a new element, found again by its position and opened again, so the keys are not lost.
    const cellNow = () => {
      const grid = document.getElementById(here.gridId);
      return grid && grid.querySelector(`[data-row="${here.row}"][data-col="${here.col}"]`);
    };
    let tries = 0;
    const fill = () => {
      if (pending !== mine) return;  // keys for another cell took over; they open their own cell
      const td = mine.td.isConnected ? mine.td : cellNow();
      if (td && td !== mine.td) {
        mine.td = td;
        td.dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));
      }
      const box = td && td.querySelector('input, textarea');
      if (!box) { if (tries++ < 240) { requestAnimationFrame(fill); } else { pending = null; } return; }
      const {text, commit} = mine;
      pending = null;
      box.focus();
      setValue(box, text);
      if (box.setSelectionRange) box.setSelectionRange(text.length, text.length);
      if (commit) box.dispatchEvent(new KeyboardEvent('keydown', {key: commit, bubbles: true, cancelable: true}));
    };
    requestAnimationFrame(fill);
  }, true);
  // Clicking a finding scrolls to its cells and outlines them (the total in red, its operands in orange).
  // A style sheet of its own, not classes: the grid re-renders its cells' classes when the selection moves.
  document.addEventListener('click', (e) => {
    const item = e.target.closest && e.target.closest('.xxgk-findings li[data-pos]');
    if (!item || e.target.closest('summary')) return;
    let sheet = document.getElementById('xxgk-highlight');
    if (!sheet) {
      sheet = document.createElement('style');
      sheet.id = 'xxgk-highlight';
      document.head.appendChild(sheet);
    }
    const rules = [];
    let first = null;
    item.dataset.pos.split(' ').forEach((pos, i) => {
      const [grid, row, col] = pos.split(':');
      const sel = `#${grid} [data-testid="cell-${row}-${col}"]`;
      const total = i === 0 && item.dataset.total === '1';
      rules.push(`${sel} { outline: 3px solid ${total ? '#a8071a' : '#fa8c16'} !important; outline-offset: -3px; }`);
      first = first || document.querySelector(sel);
    });
    sheet.textContent = rules.join('\n');
    if (first) first.scrollIntoView({block: 'center', behavior: 'smooth'});
  });
}
"""
