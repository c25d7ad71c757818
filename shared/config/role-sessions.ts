/**
 * The session names the hub gives its AssumeRole calls into a member account's spoke role. Shared by `infra/` (the
 * spoke role's trust and its deny for the endpoint's session) and the runtime (which assumes the role), so the two
 * cannot drift: the spoke role tells the owner-action endpoint's session from the worker's by this name alone.
 */
const RoleSessionName = {
  /** The worker's (and the CLI's) target passes. */
  targetPass: 'gpu-reaper',
  /**
   * The owner-action endpoint answering a member account's link: the spoke role trusts the endpoint's role only
   * with this name, and lets this session do the owner actions and nothing more.
   */
  ownerAction: 'gpu-reaper-owner-action',
} as const;
type RoleSessionName = (typeof RoleSessionName)[keyof typeof RoleSessionName];

export { RoleSessionName };
