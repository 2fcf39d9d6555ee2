// Zenodo's deposition metadata vocabulary (providers.md 1.5), for the client's checks (the emulator
// keeps its own tables). zenodo-rdm turns upload_type and its `<upload_type>_type` subtype into the
// InvenioRDM resource type "<upload_type>-<subtype>" (or "<upload_type>" alone), so the values are
// those of the resource-type vocabulary Zenodo loads (test/contract/zenodo/metadata.json).

export const UPLOAD_TYPES = [
  'publication', 'poster', 'presentation', 'event', 'dataset', 'image', 'model', 'video', 'audio', 'software', 'lesson',
  'physicalobject', 'workflow', 'other',
];
export const PUBLICATION_TYPES = [
  'article', 'book', 'section', 'conferencepaper', 'conferenceproceeding', 'datamanagementplan', 'journal', 'peerreview',
  'preprint', 'report', 'thesis', 'dissertation', 'technicalnote', 'workingpaper', 'proposal', 'deliverable', 'milestone',
  'patent', 'annotationcollection', 'softwaredocumentation', 'taxonomictreatment', 'datapaper', 'standard',
  'studyregistration', 'other',
];
/**
 * Relations of related_identifiers. zenodo-rdm lower-cases the relation and looks it up in InvenioRDM's
 * relation types (an unknown one: 400 "Invalid value <relation>."); "isAlternateIdentifier", spelled
 * exactly so, makes the identifier an alternate identifier instead.
 */
export const RELATIONS = [
  'isCitedBy', 'cites', 'isSupplementTo', 'isSupplementedBy', 'isContinuedBy', 'continues', 'isDescribedBy', 'describes',
  'hasMetadata', 'isMetadataFor', 'hasVersion', 'isVersionOf', 'isNewVersionOf', 'isPreviousVersionOf', 'isPartOf',
  'hasPart', 'isPublishedIn', 'isReferencedBy', 'references', 'isDocumentedBy', 'documents', 'isCompiledBy', 'compiles',
  'isVariantFormOf', 'isOriginalFormOf', 'isIdenticalTo', 'isReviewedBy', 'reviews', 'isDerivedFrom', 'isSourceOf',
  'isRequiredBy', 'requires', 'isObsoletedBy', 'obsoletes', 'isTranslationOf', 'hasTranslation', 'isCollectedBy',
  'collects', 'other',
];
/** Contributor types (zenodo-rdm lower-cases `type` into InvenioRDM's role, which publishing requires). */
export const CONTRIBUTOR_TYPES = [
  'ContactPerson', 'DataCollector', 'DataCurator', 'DataManager', 'Distributor', 'Editor', 'HostingInstitution', 'Producer',
  'ProjectLeader', 'ProjectManager', 'ProjectMember', 'RegistrationAgency', 'RegistrationAuthority', 'RelatedPerson',
  'Researcher', 'ResearchGroup', 'RightsHolder', 'Sponsor', 'Supervisor', 'Translator', 'WorkPackageLeader', 'Other',
];
export const IMAGE_TYPES = ['figure', 'plot', 'drawing', 'diagram', 'photo', 'other'];
export const SOFTWARE_TYPES = ['computationalnotebook'];
export const ACCESS_RIGHTS = ['open', 'embargoed', 'restricted', 'closed'];

/** Fields of the legacy deposition metadata. */
export const KNOWN_FIELDS = new Set([
  'upload_type', 'publication_type', 'image_type', 'software_type', 'publication_date', 'title', 'creators', 'description', 'access_right',
  'license', 'embargo_date', 'access_conditions', 'doi', 'prereserve_doi', 'keywords', 'notes', 'related_identifiers',
  'contributors', 'references', 'communities', 'grants', 'version', 'language', 'subjects', 'locations', 'dates', 'method',
  'custom', 'alternate_identifiers', 'journal_title', 'journal_volume', 'journal_issue', 'journal_pages', 'conference_title', 'conference_acronym',
  'conference_dates', 'conference_place', 'conference_url', 'conference_session', 'conference_session_part',
  'imprint_publisher', 'imprint_isbn', 'imprint_place', 'partof_title', 'partof_pages', 'thesis_supervisors',
  'thesis_university',
]);

/** YYYY-MM-DD and a real calendar day. */
export function isDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/**
 * A publication_date as Zenodo takes it: an EDTF level 0 date (2024, 2024-05, 2024-05-02) or a
 * chronological interval of two (2020/2021-06). InvenioRDM's EDTFDateString; embargo_date is a full day.
 */
export function isPublicationDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const bounds = (d: string): [string, string] | undefined => {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(d);
    if (!m) return undefined;
    const [, y, mo, day] = m as unknown as [string, string, string | undefined, string | undefined];
    if (day !== undefined) return isDate(d) ? [d, d] : undefined;
    if (mo !== undefined) {
      const n = Number(mo);
      if (n < 1 || n > 12) return undefined;
      const last = new Date(Date.UTC(Number(y), n, 0)).getUTCDate();
      return [`${y}-${mo}-01`, `${y}-${mo}-${String(last).padStart(2, '0')}`];
    }
    return [`${y}-01-01`, `${y}-12-31`];
  };
  const parts = s.split('/');
  if (parts.length === 1) return bounds(s) !== undefined;
  if (parts.length !== 2) return false;
  const a = bounds(parts[0] as string);
  const b = bounds(parts[1] as string);
  return a !== undefined && b !== undefined && b[1] >= a[0];
}

/** Zenodo-managed DOIs (reserved or minted by Zenodo), which are never sent back as metadata. */
export function isZenodoDoi(doi: unknown): boolean {
  return typeof doi === 'string' && /^10\.(5281|5072)\/zenodo\.\d+$/i.test(doi.trim());
}
