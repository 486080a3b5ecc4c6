/** The `protokit show` formats, apart from the renderers, so the command line can name them without loading them. */
export const SHOW_FORMATS = ['text', 'mermaid', 'itf', 'html'] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];
