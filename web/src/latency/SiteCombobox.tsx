/**
 * Accessible site picker following the WAI-ARIA 1.2 combobox pattern: type to filter, arrows to
 * move, Enter to choose, Escape to close. The listbox stays in the DOM, so screen readers can
 * follow aria-activedescendant.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { SiteFeature } from '../api/types.js';
import { SITE_STYLE } from '../map/palette.js';
import { searchSites } from './siteSearch.js';

export interface SiteComboboxProps {
  label: string;
  badge: string;
  sites: readonly SiteFeature[];
  value: SiteFeature | null;
  onChange: (siteId: string | null) => void;
}

/** Text box with a filtered list of sites. */
export function SiteCombobox({ label, badge, sites, value, onChange }: SiteComboboxProps) {
  const baseId = useId();
  const listId = `${baseId}-list`;
  const [text, setText] = useState(value?.properties.name ?? '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);

  // A choice made elsewhere (a click on the map) shows up in the box.
  useEffect(() => {
    setText(value?.properties.name ?? '');
  }, [value]);

  const matches = useMemo(() => (open ? searchSites(sites, value !== null && text === value.properties.name ? '' : text) : []), [open, sites, text, value]);

  useEffect(() => {
    const el = listRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    el?.scrollIntoView({ block: 'nearest' });
  }, [active, open]);

  const choose = (s: SiteFeature) => {
    onChange(s.properties.id);
    setText(s.properties.name);
    setOpen(false);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => Math.min(i + 1, Math.max(0, matches.length - 1)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (e.key === 'Enter') {
      if (open && matches[active] !== undefined) {
        e.preventDefault();
        choose(matches[active]);
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.preventDefault();
        setOpen(false);
      } else {
        setText('');
        onChange(null);
      }
    }
  };

  const activeId = open && matches[active] !== undefined ? `${baseId}-opt-${active}` : undefined;
  return (
    <div className="combobox">
      <label htmlFor={`${baseId}-input`}>
        <span className="endpoint-badge" aria-hidden="true">
          {badge}
        </span>
        {label}
      </label>
      <div className="combobox-field">
        <input
          id={`${baseId}-input`}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={activeId}
          autoComplete="off"
          spellCheck={false}
          placeholder="Search by name, metro or id"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(0);
          }}
          onFocus={(e) => e.target.select()}
          onClick={() => setOpen(true)}
          onKeyDown={onKeyDown}
          onBlur={() => {
            setOpen(false);
            setText(value?.properties.name ?? '');
          }}
        />
        {value !== null && (
          <button
            type="button"
            className="combobox-clear"
            aria-label={`Clear ${label}`}
            onClick={() => {
              onChange(null);
              setText('');
            }}
          >
            ×
          </button>
        )}
      </div>
      <ul id={listId} role="listbox" aria-label={`${label} sites`} className="combobox-list" hidden={!open || matches.length === 0} ref={listRef}>
        {matches.map((s, i) => (
          <li
            key={s.properties.id}
            id={`${baseId}-opt-${i}`}
            data-index={i}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // mousedown, not click: it fires before the input's blur closes the list.
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s);
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span className="option-name">{s.properties.name}</span>
            <span className="option-meta">
              {SITE_STYLE[s.properties.kind]?.label ?? s.properties.kind} · {s.properties.id}
            </span>
          </li>
        ))}
      </ul>
      {open && matches.length === 0 && (
        <div className="combobox-empty" role="status">
          No site matches “{text}”.
        </div>
      )}
    </div>
  );
}
