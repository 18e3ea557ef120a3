// Hands the feature stores to the components, so tests can render a screen over a fake station.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { Stores } from './stores';

const StoresContext = createContext<Stores | undefined>(undefined);

export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (stores === undefined) {
    throw new Error('useStores needs a StoresProvider above it');
  }
  return stores;
}

/** The names of the feature stores in Stores, such as 'setup'. */
type StoreName = { [Key in keyof Stores]: Stores[Key] extends StoreApi<infer _State> ? Key : never }[keyof Stores];
type StateOf<Name extends StoreName> = Stores[Name] extends StoreApi<infer State> ? State : never;

/** Selects from one feature store and re-renders when the selected value changes. */
export function useFeature<Name extends StoreName, Selected>(name: Name, select: (state: StateOf<Name>) => Selected): Selected {
  // TypeScript cannot follow the indexed store type through the generic name, hence the cast.
  const store = useStores()[name] as unknown as StoreApi<StateOf<Name>>;
  return useStore<StoreApi<StateOf<Name>>, Selected>(store, select);
}
