/* phoihop admin widgets (core/widgets.py), loaded by phoihop/master.html on every page.
 *
 * Money inputs (data-phoihop-money): while a person types an amount in digits, the digits
 * are grouped by thousands the Vietnamese way (12500000 -> 12.500.000) and the caret stays
 * after the digit it was after. Anything else is left exactly as typed, for the server to
 * read: a comma or a dot the person typed ("12,5", "1.5"), a space, words ("12,5 triệu",
 * "1,5 tỷ"). A value is regrouped only when its dots are ours: it is plain or grouped
 * digits, or it was before this keystroke and the keystroke typed or removed digits.
 *
 * No inline handlers (the Content Security Policy forbids them): one listener on the
 * document serves every money input, in forms and in modal dialogs alike.
 */
(function () {
  'use strict';

  var SELECTOR = 'input[data-phoihop-money]';
  var GROUPED = /^\d{1,3}(\.\d{3})*$/;
  var DIGITS = /^\d*$/;
  var last = new WeakMap(); // input -> its value after our last look at it

  function ours(text) {
    return DIGITS.test(text) || GROUPED.test(text);
  }

  function group(digits) {
    digits = digits.replace(/^0+(?=\d)/, '');
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  }

  function digitsBefore(text, end) {
    return text.slice(0, end).replace(/\D/g, '').length;
  }

  function caretAfter(text, count) {
    if (count === 0) { return 0; }
    for (var i = 0, seen = 0; i < text.length; i++) {
      if (/\d/.test(text[i]) && ++seen === count) { return i + 1; }
    }
    return text.length;
  }

  function regroup(input, event) {
    var value = input.value;
    var before = last.has(input) ? last.get(input) : input.defaultValue;
    var kind = (event && event.inputType) || '';
    var typed = event && typeof event.data === 'string' ? event.data : '';
    // digits typed or removed (not pasted: a pasted "1.5" means what it says)
    var digitEdit = kind.indexOf('delete') === 0 || (kind === 'insertText' && /^\d+$/.test(typed));
    if (!(ours(value) || (digitEdit && /^[\d.]*$/.test(value) && ours(before)))) {
      last.set(input, value);
      return;
    }
    var count = digitsBefore(value, input.selectionStart == null ? value.length : input.selectionStart);
    var grouped = group(value.replace(/\./g, ''));
    if (grouped !== value) {
      input.value = grouped;
      if (document.activeElement === input) {
        var caret = caretAfter(grouped, count);
        input.setSelectionRange(caret, caret);
      }
    }
    last.set(input, grouped);
  }

  document.addEventListener('input', function (event) {
    var input = event.target instanceof Element ? event.target.closest(SELECTOR) : null;
    if (input) { regroup(input, event); }
  });

  // Amounts written as plain digits by the server or the browser (autofill, back button)
  // are grouped when the page is ready.
  function groupAll() {
    var inputs = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < inputs.length; i++) {
      if (DIGITS.test(inputs[i].value)) { regroup(inputs[i], null); }
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', groupAll);
  } else {
    groupAll();
  }

  window.phoihopWidgets = { groupMoney: group };
})();
