/**
 * The GraphiQL page's icon, served by the subgraph like its other assets (no CDN, cached for good
 * under a name carrying its hash): a small organisation chart, one manager above two reports, for
 * a directory of users, departments and groups. An SVG with no script and no style element.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <rect width="32" height="32" rx="7" fill="#1d3557"/>
  <path d="M16 10v6M9 21v-5h14v5" fill="none" stroke="#f1faee" stroke-width="2.2"/>
  <circle cx="16" cy="8" r="4" fill="#e63978"/>
  <circle cx="9" cy="23.5" r="3.5" fill="#f1faee"/>
  <circle cx="23" cy="23.5" r="3.5" fill="#f1faee"/>
</svg>
`;
