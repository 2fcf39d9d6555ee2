// The services the emulator stands in for. The emulator's own list, not the client's registry: the
// emulator shares no code, table or type with rdp's clients (SPEC.md section 7). `invenio` is one
// generic InvenioRDM repository (a "site" to rdp), with the RDM records API only.
export const SERVICE_IDS = ['zenodo', 'nomad', 'dmptool', 'orcid', 'zotero', 'invenio'] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];
