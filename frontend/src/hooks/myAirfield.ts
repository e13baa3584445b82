import { useCallback, useEffect, useState } from 'react';

// The visitor's own airfield (ICAO), remembered in this browser: the listing page shows the
// distance from it. Set from the home page's "near me" search or on a listing page.
const KEY = 'hangar.myAirfield';
const EVENT = 'hangar:my-airfield';

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** The remembered airfield and a setter (`null` forgets it); every user of the hook follows. */
export function useMyAirfield(): [string | null, (icao: string | null) => void] {
  const [icao, setIcao] = useState<string | null>(read);
  useEffect(() => {
    const follow = () => setIcao(read());
    window.addEventListener(EVENT, follow);
    window.addEventListener('storage', follow);
    return () => {
      window.removeEventListener(EVENT, follow);
      window.removeEventListener('storage', follow);
    };
  }, []);
  const set = useCallback((next: string | null) => {
    try {
      if (next) localStorage.setItem(KEY, next.trim().toUpperCase());
      else localStorage.removeItem(KEY);
    } catch {
      // Private browsing without storage: the choice lasts for this page only.
    }
    setIcao(next ? next.trim().toUpperCase() : null);
    window.dispatchEvent(new Event(EVENT));
  }, []);
  return [icao, set];
}
