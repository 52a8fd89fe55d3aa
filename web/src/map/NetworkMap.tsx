/**
 * The map pane: an offline MapLibre map with the network on it. React owns the props; the map is
 * imperative, so each prop change is pushed into the map by its own effect.
 */
import { useEffect, useRef, useState } from 'react';
import { AttributionControl, Map as MapLibreMap, Marker, NavigationControl, Popup, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import type { MapMouseEvent } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { NetworkModel } from '../network/model.js';
import { siteName } from '../network/model.js';
import { factsElement, siteFacts, spanFacts } from '../network/facts.js';
import { basemapStyle, loadBasemap } from './basemap.js';
import { networkBounds } from './bounds.js';
import type { Bounds } from './bounds.js';
import { LAYER, amplifierFeatures, showNetwork, showPaths, showSelectedSpan, showShadedSites } from './layers.js';
import type { PathOverlay } from './layers.js';

// The bundled worker must be told where it lives: Vite renames it, so MapLibre cannot guess.
setWorkerUrl(workerUrl);

/** An endpoint pin: a labelled HTML marker (the map itself has no fonts). */
export interface EndpointPin {
  label: string;
  siteId: string;
}

export interface NetworkMapProps {
  model: NetworkModel | null;
  paths: readonly PathOverlay[];
  pins: readonly EndpointPin[];
  selectedSpanId: string | null;
  /** Sites to shade (the latency explorer's catchment). */
  shadedSiteIds?: readonly string[];
  /** Changing this value flies the map to the bounds (null = whole network). */
  focus: { key: string; bounds: Bounds | null };
  onSiteClick: (siteId: string) => void;
  onSpanClick: (spanId: string) => void;
}

const FIT_PADDING = { top: 40, bottom: 40, left: 40, right: 40 };
// Endpoint labels hang to the right of their pin; leave room so they are not cut off.
const PATH_PADDING = { top: 60, bottom: 60, left: 60, right: 170 };

/** The network map. */
export function NetworkMap(props: NetworkMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  // What the map has finished drawing, exposed as data attributes so tests (and people) can tell.
  const [drawnNetwork, setDrawnNetwork] = useState<NetworkModel | null>(null);
  const [drawnPaths, setDrawnPaths] = useState<readonly PathOverlay[] | null>(null);
  const fitted = useRef<number | null>(null);
  const handlers = useRef(props);
  handlers.current = props;

  // Create the map once; the base map data comes from the build, so this works offline.
  useEffect(() => {
    let cancelled = false;
    let created: MapLibreMap | null = null;
    loadBasemap()
      .then((base) => {
        if (cancelled || container.current === null) return;
        const m = new MapLibreMap({
          container: container.current,
          style: basemapStyle(base),
          center: [-96, 38],
          zoom: 3,
          minZoom: 1,
          maxZoom: 14,
          attributionControl: false,
          renderWorldCopies: false,
          dragRotate: false,
          pitchWithRotate: false,
        });
        created = m;
        m.touchZoomRotate.disableRotation();
        m.addControl(new NavigationControl({ showCompass: false }), 'top-right');
        m.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
        m.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth via world-atlas, us-atlas' }));
        m.on('error', (e) => console.error('map error', e.error));
        m.on('load', () => {
          if (!cancelled) setMap(m);
        });
      })
      .catch((e: unknown) => {
        if (!cancelled) setFailure(e instanceof Error ? e.message : String(e));
      });
    return () => {
      cancelled = true;
      created?.remove();
      setMap(null);
    };
  }, []);

  // Hover cards and clicks.
  useEffect(() => {
    if (map === null) return;
    const popup = new Popup({ closeButton: false, closeOnClick: false, maxWidth: '320px', offset: 10, className: 'lp-popup' });
    let shown: string | null = null;
    const hit = (e: MapMouseEvent) => {
      const box: [[number, number], [number, number]] = [
        [e.point.x - 6, e.point.y - 6],
        [e.point.x + 6, e.point.y + 6],
      ];
      const site = map.queryRenderedFeatures(box, { layers: [LAYER.sites] })[0];
      if (site !== undefined) return { kind: 'site' as const, id: String(site.properties.id) };
      const span = map.queryRenderedFeatures(box, { layers: [LAYER.spanHit] })[0];
      if (span !== undefined) return { kind: 'span' as const, id: String(span.properties.id) };
      return null;
    };
    const onMove = (e: MapMouseEvent) => {
      const model = handlers.current.model;
      const h = hit(e);
      map.getCanvas().style.cursor = h === null ? '' : 'pointer';
      if (h === null || model === null) {
        popup.remove();
        shown = null;
        return;
      }
      const key = `${h.kind}:${h.id}`;
      if (key !== shown) {
        shown = key;
        if (h.kind === 'site') {
          const s = model.siteById.get(h.id);
          if (s !== undefined) popup.setDOMContent(factsElement(s.properties.name, siteFacts(s)));
        } else {
          const s = model.spanById.get(h.id);
          if (s !== undefined) popup.setDOMContent(factsElement(`Span ${s.properties.id}`, spanFacts(s, (id) => siteName(model, id))));
        }
      }
      popup.setLngLat(e.lngLat).addTo(map);
    };
    const onLeave = () => {
      popup.remove();
      shown = null;
    };
    const onClick = (e: MapMouseEvent) => {
      const h = hit(e);
      if (h?.kind === 'site') handlers.current.onSiteClick(h.id);
      else if (h?.kind === 'span') handlers.current.onSpanClick(h.id);
    };
    map.on('mousemove', onMove);
    map.on('mouseout', onLeave);
    map.on('click', onClick);
    return () => {
      map.off('mousemove', onMove);
      map.off('mouseout', onLeave);
      map.off('click', onClick);
      popup.remove();
    };
  }, [map]);

  // Network data.
  const model = props.model;
  useEffect(() => {
    if (map === null || model === null) return;
    showNetwork(map, model.raw);
    // Live state (utilisation, failures) replaces the model but must not move the map.
    if (fitted.current !== model.generation) {
      fitted.current = model.generation;
      const b = networkBounds(model.raw);
      if (b !== null) map.fitBounds(b, { padding: FIT_PADDING, animate: false, maxZoom: 9 });
    }
    map.once('idle', () => setDrawnNetwork(model));
  }, [map, model]);

  const paths = props.paths;
  useEffect(() => {
    if (map === null || model === null) return;
    showPaths(map, model.spanById, paths);
    let live = true;
    map.once('idle', () => {
      if (live) setDrawnPaths(paths);
    });
    return () => {
      live = false;
    };
  }, [map, model, paths]);

  useEffect(() => {
    if (map === null || model === null) return;
    showSelectedSpan(map, props.selectedSpanId === null ? null : (model.spanById.get(props.selectedSpanId) ?? null));
  }, [map, model, props.selectedSpanId]);

  // Where the map has settled, for tests (and people) to tell that it went somewhere.
  const [settled, setSettled] = useState<{ zoom: number; focus: string } | null>(null);
  useEffect(() => {
    if (map === null) return;
    const onEnd = () => setSettled({ zoom: map.getZoom(), focus: handlers.current.focus.key });
    map.on('moveend', onEnd);
    return () => {
      map.off('moveend', onEnd);
    };
  }, [map]);

  const shaded = props.shadedSiteIds;
  const [drawnShaded, setDrawnShaded] = useState(-1);
  useEffect(() => {
    if (map === null || model === null) return;
    const sites = (shaded ?? []).flatMap((id) => {
      const x = model.siteById.get(id);
      return x === undefined ? [] : [x];
    });
    showShadedSites(map, sites);
    let live = true;
    map.once('idle', () => {
      if (live) setDrawnShaded(sites.length);
    });
    return () => {
      live = false;
    };
  }, [map, model, shaded]);

  const focusKey = props.focus.key;
  const generation = model?.generation ?? null;
  const focusBounds = props.focus.bounds;
  useEffect(() => {
    if (map === null || model === null) return;
    const b = focusBounds ?? networkBounds(model.raw);
    if (b !== null) map.fitBounds(b, { padding: focusBounds === null ? FIT_PADDING : PATH_PADDING, duration: 600, maxZoom: 9 });
    // Deliberately keyed on focusKey and the data's generation only: bounds recreated on every
    // render, or live state arriving, must not move the map.
  }, [map, generation, focusKey]);

  // Endpoint pins as HTML markers carrying the site name.
  const pins = props.pins;
  useEffect(() => {
    if (map === null || model === null) return;
    const markers = pins.flatMap((pin) => {
      const site = model.siteById.get(pin.siteId);
      if (site === undefined) return [];
      const el = document.createElement('div');
      el.className = 'endpoint-pin';
      const badge = document.createElement('span');
      badge.className = 'endpoint-badge';
      badge.textContent = pin.label;
      const name = document.createElement('span');
      name.className = 'endpoint-name';
      name.textContent = site.properties.name;
      el.append(badge, name);
      el.setAttribute('aria-hidden', 'true');
      return [new Marker({ element: el, anchor: 'left', offset: [8, 0] }).setLngLat(site.geometry.coordinates).addTo(map)];
    });
    return () => markers.forEach((m) => m.remove());
  }, [map, model, pins]);

  return (
    <div className="map-pane">
      <div
        ref={container}
        className="map-canvas"
        role="region"
        aria-label={model === null ? 'Network map' : `Map of ${model.name}: ${model.sites.length} sites, ${model.spans.length} spans`}
        data-map-ready={map !== null && model !== null ? 'true' : 'false'}
        data-network-drawn={drawnNetwork !== null && drawnNetwork === model ? 'true' : 'false'}
        data-paths-drawn={drawnPaths !== null && drawnPaths === paths ? paths.length : -1}
        data-shaded-sites={drawnShaded}
        data-amplifiers={drawnNetwork !== null && drawnNetwork === model ? amplifierFeatures(model.raw).features.length : undefined}
        data-zoom={settled === null ? undefined : settled.zoom.toFixed(2)}
        data-focus={settled === null ? undefined : settled.focus}
      />
      {failure !== null && (
        <div className="map-overlay error" role="alert">
          <strong>The map could not be drawn.</strong> {failure}
        </div>
      )}
    </div>
  );
}
