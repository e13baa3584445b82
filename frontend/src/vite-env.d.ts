/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API is (e.g. https://api.hangar.example); empty: the page's own origin. */
  readonly VITE_API_BASE_URL?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
