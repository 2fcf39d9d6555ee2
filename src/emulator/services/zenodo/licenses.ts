// Zenodo's licence tables, as its legacy deposit API uses them (zenodo-rdm: the legacy licence list,
// the legacy-to-RDM map and the alias table; providers.md 0.1). The emulator's own copy, in the
// server's shape; rdp's client keeps its own (src/providers/zenodo/deposit/zenodo-licenses.ts) and the contract
// fixture test/contract/zenodo/licenses.json holds both to the recorded facts.

/** Legacy ids that map to the RDM licence of the same id, in the server's map order. */
const SAME: readonly string[] = [
  "0bsd", "aal", "adsl", "afl-1.1", "afl-1.2", "afl-2.0", "afl-2.1", "afl-3.0",
  "agpl-1.0-only", "agpl-1.0-or-later", "agpl-3.0-only", "agpl-3.0-or-later", "amdplpa", "aml", "ampas", "antlr-pd",
  "antlr-pd-fallback", "apafml", "apl-1.0", "apsl-1.0", "apsl-1.1", "apsl-1.2", "apsl-2.0", "abstyles",
  "adobe-2006", "adobe-glyph", "afmparse", "aladdin", "apache-1.0", "apache-1.1", "apache-2.0", "artistic-1.0",
  "artistic-1.0-perl", "artistic-1.0-cl8", "artistic-2.0", "bsd-1-clause", "bsd-2-clause", "bsd-2-clause-patent", "bsd-2-clause-views", "bsd-3-clause",
  "bsd-3-clause-attribution", "bsd-3-clause-clear", "bsd-3-clause-lbnl", "bsd-3-clause-no-nuclear-license", "bsd-3-clause-no-nuclear-license-2014", "bsd-3-clause-no-nuclear-warranty", "bsd-3-clause-open-mpi", "bsd-4-clause",
  "bsd-4-clause-uc", "bsd-protection", "bsd-source-code", "bsl-1.0", "busl-1.1", "bahyph", "barr", "beerware",
  "bittorrent-1.0", "bittorrent-1.1", "blueoak-1.0.0", "borceux", "cal-1.0", "cal-1.0-combined-work-exception", "catosl-1.1", "cc-by-1.0",
  "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-3.0-at", "cc-by-3.0-us", "cc-by-4.0", "cc-by-nc-1.0", "cc-by-nc-2.0",
  "cc-by-nc-2.5", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nc-nd-1.0", "cc-by-nc-nd-2.0", "cc-by-nc-nd-2.5", "cc-by-nc-nd-3.0", "cc-by-nc-nd-3.0-igo",
  "cc-by-nc-nd-4.0", "cc-by-nc-sa-1.0", "cc-by-nc-sa-2.0", "cc-by-nc-sa-2.5", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cc-by-nd-1.0", "cc-by-nd-2.0",
  "cc-by-nd-2.5", "cc-by-nd-3.0", "cc-by-nd-4.0", "cc-by-sa-1.0", "cc-by-sa-2.0", "cc-by-sa-2.0-uk", "cc-by-sa-2.5", "cc-by-sa-3.0",
  "cc-by-sa-3.0-at", "cc-by-sa-4.0", "cc-pddc", "cc0-1.0", "cddl-1.0", "cddl-1.1", "cdla-permissive-1.0", "cdla-sharing-1.0",
  "cecill-1.0", "cecill-1.1", "cecill-2.0", "cecill-2.1", "cecill-b", "cecill-c", "cern-ohl-1.1", "cern-ohl-1.2",
  "cern-ohl-p-2.0", "cern-ohl-s-2.0", "cern-ohl-w-2.0", "cnri-jython", "cnri-python", "cnri-python-gpl-compatible", "cpal-1.0", "cpl-1.0",
  "cpol-1.02", "cua-opl-1.0", "caldera", "clartistic", "condor-1.1", "crossword", "crystalstacker", "cube",
  "d-fsl-1.0", "doc", "dsdp", "dotseqn", "ecl-1.0", "ecl-2.0", "efl-1.0", "efl-2.0",
  "epics", "epl-1.0", "epl-2.0", "eudatagrid", "eupl-1.0", "eupl-1.1", "eupl-1.2", "entessa",
  "erlpl-1.1", "eurosym", "fsfap", "fsful", "fsfullr", "ftl", "fair", "frameworx-1.0",
  "freeimage", "gfdl-1.1-invariants-only", "gfdl-1.1-invariants-or-later", "gfdl-1.1-no-invariants-only", "gfdl-1.1-no-invariants-or-later", "gfdl-1.1-only", "gfdl-1.1-or-later", "gfdl-1.2-invariants-only",
  "gfdl-1.2-invariants-or-later", "gfdl-1.2-no-invariants-only", "gfdl-1.2-no-invariants-or-later", "gfdl-1.2-only", "gfdl-1.2-or-later", "gfdl-1.3-invariants-only", "gfdl-1.3-invariants-or-later", "gfdl-1.3-no-invariants-only",
  "gfdl-1.3-no-invariants-or-later", "gfdl-1.3-only", "gfdl-1.3-or-later", "gl2ps", "glwtpl", "gpl-1.0-only", "gpl-1.0-or-later", "gpl-2.0-only",
  "gpl-2.0-or-later", "gpl-3.0-only", "gpl-3.0-or-later", "giftware", "glide", "glulxe", "hpnd", "hpnd-sell-variant",
  "htmltidy", "haskellreport", "hippocratic-2.1", "ibm-pibs", "icu", "ijg", "ipa", "ipl-1.0",
  "isc", "imagemagick", "imlib2", "info-zip", "intel", "intel-acpi", "interbase-1.0", "jpnic",
  "json", "jasper-2.0", "lal-1.2", "lal-1.3", "lgpl-2.0-only", "lgpl-2.0-or-later", "lgpl-2.1-only", "lgpl-2.1-or-later",
  "lgpl-3.0-only", "lgpl-3.0-or-later", "lgpllr", "lpl-1.0", "lpl-1.02", "lppl-1.0", "lppl-1.1", "lppl-1.2",
  "lppl-1.3a", "lppl-1.3c", "latex2e", "leptonica", "liliq-p-1.1", "liliq-r-1.1", "liliq-rplus-1.1", "libpng",
  "linux-openib", "mit", "mit-0", "mit-cmu", "mit-advertising", "mit-enna", "mit-feh", "mit-open-group",
  "mitnfa", "mpl-1.0", "mpl-1.1", "mpl-2.0", "mpl-2.0-no-copyleft-exception", "ms-pl", "ms-rl", "mtll",
  "makeindex", "miros", "motosoto", "mulanpsl-1.0", "mulanpsl-2.0", "multics", "mup", "nasa-1.3",
  "nbpl-1.0", "ncgl-uk-2.0", "ncsa", "ngpl", "nist-pd", "nist-pd-fallback", "nlod-1.0", "nlpl",
  "nosl", "npl-1.0", "npl-1.1", "nposl-3.0", "nrl", "ntp", "ntp-0", "naumen",
  "net-snmp", "netcdf", "newsletr", "nokia", "noweb", "o-uda-1.0", "occt-pl", "oclc-2.0",
  "odc-by-1.0", "odbl-1.0", "ofl-1.0", "ofl-1.0-rfn", "ofl-1.0-no-rfn", "ofl-1.1", "ofl-1.1-rfn", "ofl-1.1-no-rfn",
  "ogc-1.0", "ogl-canada-2.0", "ogl-uk-1.0", "ogl-uk-2.0", "ogl-uk-3.0", "ogtsl", "oldap-1.1", "oldap-1.2",
  "oldap-1.3", "oldap-1.4", "oldap-2.0", "oldap-2.0.1", "oldap-2.1", "oldap-2.2", "oldap-2.2.1", "oldap-2.2.2",
  "oldap-2.3", "oldap-2.4", "oldap-2.5", "oldap-2.6", "oldap-2.7", "oldap-2.8", "oml", "opl-1.0",
  "oset-pl-2.1", "osl-1.0", "osl-1.1", "osl-2.0", "osl-2.1", "osl-3.0", "openssl", "pddl-1.0",
  "php-3.0", "php-3.01", "psf-2.0", "parity-6.0.0", "parity-7.0.0", "plexus", "polyform-noncommercial-1.0.0", "polyform-small-business-1.0.0",
  "postgresql", "python-2.0", "qpl-1.0", "qhull", "rhecos-1.1", "rpl-1.1", "rpl-1.5", "rpsl-1.0",
  "rsa-md", "rscpl", "rdisc", "ruby", "sax-pd", "scea", "sgi-b-1.0", "sgi-b-1.1",
  "sgi-b-2.0", "shl-0.5", "shl-0.51", "sissl", "sissl-1.2", "smlnj", "smppl", "snia",
  "spl-1.0", "ssh-openssh", "ssh-short", "sspl-1.0", "swl", "saxpath", "sendmail", "sendmail-8.23",
  "simpl-2.0", "sleepycat", "spencer-86", "spencer-94", "spencer-99", "sugarcrm-1.1.3", "tapr-ohl-1.0", "tcl",
  "tcp-wrappers", "tmate", "torque-1.1", "tosl", "tu-berlin-1.0", "tu-berlin-2.0", "ucl-1.0", "upl-1.0",
  "unicode-dfs-2015", "unicode-dfs-2016", "unicode-tou", "unlicense", "vostrom", "vsl-1.0", "vim", "w3c",
  "w3c-19980720", "w3c-20150513", "wtfpl", "watcom-1.0", "wsuipa", "x11", "xfree86-1.1", "xskat",
  "xerox", "xnet", "ypl-1.0", "ypl-1.1", "zpl-1.1", "zpl-2.0", "zpl-2.1", "zed",
  "zend-2.0", "zimbra-1.3", "zimbra-1.4", "zlib", "blessing", "bzip2-1.0.5", "bzip2-1.0.6", "copyleft-next-0.3.0",
  "copyleft-next-0.3.1", "curl", "diffmark", "dvipdfm", "egenix", "etalab-2.0", "gsoap-1.3b", "gnuplot",
  "imatix", "libpng-2.0", "libselinux-1.0", "libtiff", "mpich2", "psfrag", "psutils", "xinetd",
  "xpp", "zlib-acknowledgement", "against-drm", "dsl", "eurofound", "geogratis", "hesa-withrights", "user-jsim",
  "jabber-osl", "notspecified", "localauth-withrights", "lucent-plan9", "mitre", "met-office-cp", "geo-no-fee-unrestricted", "other-at",
  "other-nc", "other-closed", "other-open", "other-pd", "qtpl", "dli-model-use", "ukclickusepsi", "ukcrown-withrights",
  "ukcrown", "ukpsi", "wxwindows", "zenodo-freetoread-1.0",
];

/** Legacy ids that map to an RDM licence of another id (in map order, after SAME in the server's map). */
const RENAMED: Readonly<Record<string, string>> = {
  "agpl-1.0": "agpl-1.0-only", "bsd-2-clause-freebsd": "bsd-2-clause-views", "bsd-2-clause-netbsd": "bsd-2-clause", "gfdl-1.1": "gfdl-1.1-only",
  "gfdl-1.2": "gfdl-1.2-only", "gfdl-1.3": "gfdl-1.3-only", "gpl-1.0": "gpl-1.0-only", "gpl-1.0+": "gpl-1.0-or-later",
  "gpl-2.0+": "gpl-2.0-or-later", "gpl-3.0+": "gpl-3.0-or-later", "lgpl-2.0": "lgpl-2.0-only", "lgpl-2.0+": "lgpl-2.0-or-later",
  "lgpl-2.1+": "lgpl-2.1-or-later", "lgpl-3.0+": "lgpl-3.0-or-later", "cc-zero": "cc0-1.0", "apache2.0": "apache-2.0",
  "apl1.0": "apl-1.0", "bsl1.0": "bsl-1.0", "cpal_1.0": "cpal-1.0", "ca-tosl1.1": "catosl-1.1",
  "nasa1.3": "nasa-1.3", "rpl1.5": "rpl-1.5", "apgl-v3": "agpl-3.0-only", "apache": "apache-1.0",
  "artistic-license-2.0": "artistic-2.0", "attribution": "aal", "bsd-license": "bsd-1-clause", "cuaoffice": "cua-opl-1.0",
  "canada-crown": "ogl-canada-2.0", "cddl1": "cddl-1.0", "cc-by-sa": "cc-by-sa-1.0", "cc-by": "cc-by-1.0",
  "cc-nc": "cc-by-nc-2.0", "eclipse-1.0": "epl-1.0", "ecl2": "ecl-2.0", "ver2_eiffel": "efl-2.0",
  "eiffel": "efl-1.0", "frameworx": "frameworx-1.0", "fal": "lal-1.2", "gfdl": "gfdl-1.1-only",
  "gpl-2.0": "gpl-2.0-only", "gpl-3.0": "gpl-3.0-only", "lgpl-2.1": "lgpl-2.1-only", "lgpl-3.0": "lgpl-3.0-only",
  "ibmpl": "ipl-1.0", "ipafont": "ipa", "isc-license": "isc", "intel-osl": "intel",
  "lucent1.02": "lpl-1.02", "mit-license": "mit", "mozilla": "mpl-1.0", "mozilla1.1": "mpl-1.1",
  "ntp-license": "ntp", "nethack": "ngpl", "nosl3.0": "nposl-3.0", "oclc2": "oclc-2.0",
  "odc-by": "odc-by-1.0", "odc-odbl": "odbl-1.0", "odc-pddl": "pddl-1.0", "openfont": "ofl-1.0",
  "opengroup": "ogtsl", "php": "php-3.0", "pythonsoftfoundation": "psf-2.0", "pythonpl": "python-2.0",
  "real": "rpsl-1.0", "ricohpl": "rscpl", "standardml-nj": "smlnj", "sun-issl": "sissl",
  "sunpublic": "spl-1.0", "sybase": "watcom-1.0", "uk-ogl": "ogl-uk-1.0", "uoi-ncsa": "ncsa",
  "vovidapl": "vsl-1.0", "zpl": "zpl-1.1", "zlib-license": "zlib",
};

/** Aliases, looked up (lower case) before the map; their targets are lower-cased too. */
const ALIASES: Readonly<Record<string, string>> = {
  "agpl-v3": "agpl-3.0-only", "agpl-3.0": "agpl-3.0-only", "apache": "apache-2.0", "apache2.0": "apache-2.0",
  "apl1.0": "apl-1.0", "artistic-license-2.0": "Artistic-2.0", "attribution": "AAL", "bsl1.0": "BSL-1.0",
  "ca-tosl1.1": "CATOSL-1.1", "cc-by": "CC-BY-4.0", "cc-by-sa": "CC-BY-SA-4.0", "cc-zero": "CC0-1.0",
  "cddl1": "CDDL-1.0", "cpal_1.0": "CPAL-1.0", "cuaoffice": "CUA-OPL-1.0", "ecl2": "ECL-2.0",
  "eclipse-1.0": "EPL-1.0", "eiffel": "EFL-2.0", "fal": "FAL-1.3", "frameworx": "Frameworx-1.0",
  "gfdl": "GFDL-1.3-no-cover-texts-no-invariant-sections", "ibmpl": "IPL-1.0", "intel-osl": "Intel", "ipafont": "IPA",
  "isc-license": "ISC", "lucent1.02": "LPL-1.02", "mit-license": "MIT", "mozilla": "MPL-1.0",
  "mozilla1.1": "MPL-1.1", "nasa1.3": "NASA-1.3", "nethack": "NGPL", "nosl3.0": "NPOSL-3.0",
  "ntp-license": "NTP", "oclc2": "OCLC-2.0", "odc-by": "ODC-BY-1.0", "odc-odbl": "ODbL-1.0",
  "odc-pddl-1.0": "pddl-1.0", "openfont": "OFL-1.1", "opengroup": "OGTSL", "php": "PHP-3.0",
  "pythonpl": "CNRI-Python", "pythonsoftfoundation": "Python-2.0", "qtpl": "QPL-1.0", "real": "RPSL-1.0",
  "ricohpl": "RSCPL", "rpl1.5": "RPL-1.5", "sun-issl": "SISSL", "sunpublic": "SPL-1.0",
  "sybase": "Watcom-1.0", "tcl": "tcl", "uk-ogl": "OGL-UK-1.0", "uoi-ncsa": "NCSA",
  "ver2_eiffel": "EFL-2.0", "vovidapl": "VSL-1.0", "zlib-license": "Zlib", "zpl": "ZPL-2.0",
};

/** The legacy licence list: an id here that the map does not know becomes a custom licence (exact case). */
const LEGACY_IDS: readonly string[] = [
  "bsd-3-clause", "bsd-2-clause", "afl-3.0", "apl1.0", "agpl-v3", "against-drm", "apache2.0", "apache",
  "apsl-2.0", "artistic-license-2.0", "attribution", "bsd-license", "bsl1.0", "cuaoffice", "canada-crown", "cddl1",
  "cpal_1.0", "ca-tosl1.1", "cc-by-sa", "cc-by", "cc-zero", "cc-nc", "dsl", "eudatagrid",
  "eclipse-1.0", "ecl2", "ver2_eiffel", "eiffel", "entessa", "eurofound", "eupl-1.1", "fair",
  "frameworx", "fal", "gfdl", "gpl-2.0", "gpl-3.0", "lgpl-2.1", "lgpl-3.0", "geogratis",
  "hesa-withrights", "ibmpl", "ipafont", "isc-license", "intel-osl", "user-jsim", "jabber-osl", "notspecified",
  "localauth-withrights", "lucent-plan9", "lucent1.02", "mit-license", "mitre", "met-office-cp", "ms-pl", "ms-rl",
  "miros", "motosoto", "mozilla", "mozilla1.1", "multics", "nasa1.3", "ntp-license", "naumen",
  "nethack", "geo-no-fee-unrestricted", "nokia", "nosl3.0", "oclc2", "odc-by", "odc-odbl", "odc-pddl",
  "openfont", "opengroup", "osl-3.0", "other-at", "other-nc", "other-closed", "other-open", "other-pd",
  "php", "pythonsoftfoundation", "pythonpl", "qtpl", "real", "rpl1.5", "ricohpl", "simpl-2.0",
  "sleepycat", "dli-model-use", "sun-issl", "sunpublic", "sybase", "tcl", "postgresql", "ukclickusepsi",
  "ukcrown-withrights", "ukcrown", "uk-ogl", "ukpsi", "uoi-ncsa", "vovidapl", "w3c", "xnet",
  "zpl", "wxwindows", "zlib-license", "cc-by-nd-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-sa-4.0", "zenodo-freetoread-1.0",
];

/** How a stored RDM licence is answered: the last legacy id in map order that maps to it. */
const ANSWERED_AS: Readonly<Record<string, string>> = {
  "aal": "attribution", "agpl-3.0-only": "apgl-v3", "apl-1.0": "apl1.0", "apache-1.0": "apache",
  "apache-2.0": "apache2.0", "artistic-2.0": "artistic-license-2.0", "bsd-1-clause": "bsd-license", "bsd-2-clause": "bsd-2-clause-netbsd",
  "bsl-1.0": "bsl1.0", "catosl-1.1": "ca-tosl1.1", "cc-by-1.0": "cc-by", "cc-by-nc-2.0": "cc-nc",
  "cc-by-sa-1.0": "cc-by-sa", "cc0-1.0": "cc-zero", "cddl-1.0": "cddl1", "cpal-1.0": "cpal_1.0",
  "cua-opl-1.0": "cuaoffice", "ecl-2.0": "ecl2", "efl-1.0": "eiffel", "efl-2.0": "ver2_eiffel",
  "epl-1.0": "eclipse-1.0", "frameworx-1.0": "frameworx", "gfdl-1.1-only": "gfdl", "gpl-2.0-only": "gpl-2.0",
  "gpl-3.0-only": "gpl-3.0", "ipa": "ipafont", "ipl-1.0": "ibmpl", "isc": "isc-license",
  "intel": "intel-osl", "lal-1.2": "fal", "lgpl-2.1-only": "lgpl-2.1", "lgpl-3.0-only": "lgpl-3.0",
  "lpl-1.02": "lucent1.02", "mit": "mit-license", "mpl-1.0": "mozilla", "mpl-1.1": "mozilla1.1",
  "nasa-1.3": "nasa1.3", "ncsa": "uoi-ncsa", "ngpl": "nethack", "nposl-3.0": "nosl3.0",
  "ntp": "ntp-license", "oclc-2.0": "oclc2", "odc-by-1.0": "odc-by", "odbl-1.0": "odc-odbl",
  "ofl-1.0": "openfont", "ogl-canada-2.0": "canada-crown", "ogl-uk-1.0": "uk-ogl", "ogtsl": "opengroup",
  "pddl-1.0": "odc-pddl", "php-3.0": "php", "psf-2.0": "pythonsoftfoundation", "python-2.0": "pythonpl",
  "rpl-1.5": "rpl1.5", "rpsl-1.0": "real", "rscpl": "ricohpl", "sissl": "sun-issl",
  "smlnj": "standardml-nj", "spl-1.0": "sunpublic", "vsl-1.0": "vovidapl", "watcom-1.0": "sybase",
  "zpl-1.1": "zpl", "zlib": "zlib-license", "qtpl": "qtpl",
};

const MAP: ReadonlyMap<string, string> = new Map([...SAME.map((id) => [id, id] as const), ...Object.entries(RENAMED)]);
const LEGACY: ReadonlySet<string> = new Set(LEGACY_IDS);

/** What a record stores for a licence value: `{id}` (RDM vocabulary) or `{custom}` (legacy only). */
export type StoredLicense = { id: string } | { custom: string };

/** The server's lookup for a licence value given as a string (or `{id}`); undefined: 400. */
export function resolveLicense(value: string): StoredLicense | undefined {
  const lower = value.trim().toLowerCase();
  const aliased = (ALIASES[lower] ?? lower).toLowerCase();
  const id = MAP.get(aliased);
  if (id !== undefined) return { id };
  return LEGACY.has(value) ? { custom: value } : undefined;
}

/** `metadata.license` in an answer; undefined for a custom licence (it has no id). */
export function answeredLicense(stored: StoredLicense): string | undefined {
  return 'id' in stored ? (ANSWERED_AS[stored.id] ?? stored.id) : undefined;
}
