/** Where a page goes when the workspace changes: a record's page to its list (the record is the old workspace's). */
export function pageAfterSwitch(pathname: string): string {
  const [, section, record] = pathname.split("/");
  return record && ["executions", "threads", "reviews"].includes(section) ? `/${section}` : pathname;
}
