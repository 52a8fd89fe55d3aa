/** Price book editing for operators: load, change in dollars, save (PUT replaces the whole book). */
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import { fetchPriceBook, savePriceBook } from '../api/ordering.js';
import { PRODUCT_CHOICES } from '../order/form.js';
import { BOOK_PRODUCTS, PRICE_FIELDS, bookOfForm, formOfBook } from './pricebook.js';
import type { PriceBookForm } from './pricebook.js';

/** The editor section. */
export function PriceBookEditor() {
  const [form, setForm] = useState<PriceBookForm | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setLoadError(null);
    fetchPriceBook(ctl.signal)
      .then((b) => setForm(formOfBook(b)))
      .catch((e: unknown) => {
        if (!ctl.signal.aborted) setLoadError(errorMessage(e));
      });
    return () => ctl.abort();
  }, [attempt]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (form === null) return;
    const r = bookOfForm(form);
    setSaved(null);
    if ('errors' in r) {
      setErrors(r.errors);
      return;
    }
    setErrors([]);
    setSaving(true);
    try {
      setForm(formOfBook(await savePriceBook(r.book)));
      setSaved('Price book saved. New quotes use it; existing services keep their price.');
    } catch (err) {
      setErrors([errorMessage(err)]);
    } finally {
      setSaving(false);
    }
  };

  const set = (fn: (f: PriceBookForm) => PriceBookForm) => {
    setSaved(null);
    setForm((f) => (f === null ? f : fn(f)));
  };

  return (
    <section aria-labelledby="pb-h">
      <h3 id="pb-h">Price book</h3>
      {loadError !== null && (
        <>
          <p className="error-box" role="alert">
            {loadError}
          </p>
          <button type="button" className="secondary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </>
      )}
      {form === null && loadError === null && <p className="muted">Loading price book…</p>}
      {form !== null && (
        <form onSubmit={submit} className="pricebook" noValidate>
          <table>
            <caption className="muted small">Monthly prices in US dollars</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                {PRICE_FIELDS.map((f) => (
                  <th scope="col" key={f.key}>
                    {f.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {BOOK_PRODUCTS.map((p) => {
                const name = PRODUCT_CHOICES.find((c) => c.id === p)?.label ?? p;
                return (
                  <tr key={p}>
                    <th scope="row">{name}</th>
                    {PRICE_FIELDS.map((f) => (
                      <td key={f.key}>
                        <input
                          type="text"
                          inputMode="decimal"
                          aria-label={`${name} ${f.label}`}
                          value={form.products[p][f.key]}
                          onChange={(e) => {
                            const v = e.target.value;
                            set((cur) => ({ ...cur, products: { ...cur.products, [p]: { ...cur.products[p], [f.key]: v } } }));
                          }}
                        />
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="form-row">
            <label>
              Protect path %
              <input type="text" inputMode="numeric" value={form.protectPathPercent} onChange={(e) => { const v = e.target.value; set((cur) => ({ ...cur, protectPathPercent: v })); }} />
            </label>
            <label>
              Restorable %
              <input type="text" inputMode="numeric" value={form.restorableSurchargePercent} onChange={(e) => { const v = e.target.value; set((cur) => ({ ...cur, restorableSurchargePercent: v })); }} />
            </label>
            <label>
              Hours / month
              <input type="text" inputMode="numeric" value={form.hoursPerMonth} onChange={(e) => { const v = e.target.value; set((cur) => ({ ...cur, hoursPerMonth: v })); }} />
            </label>
          </div>
          {errors.length > 0 && (
            <ul className="error-box form-errors" role="alert">
              {errors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
          {saved !== null && (
            <p className="success-box" role="status">
              {saved}
            </p>
          )}
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save price book'}
          </button>
        </form>
      )}
    </section>
  );
}
