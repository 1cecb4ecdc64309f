export const id = 115;
export const ids = [115];
export const modules = {

/***/ 2115:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openHandedOffAccess: () => (/* reexport */ openHandedOffAccess),
  sealAccess: () => (/* reexport */ sealAccess)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(3491);
;// CONCATENATED MODULE: ./src/model/handoff.ts
/** The format of the sealed value and of this record; a different one is refused with one line. */
const HANDOFF_VERSION = 1;
/** The decrypted text is not a record this version wrote. */
class MalformedHandoffError extends Error {
    name = 'MalformedHandoffError';
}
const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PROFILE_NAME = /^[A-Za-z0-9][\w.@+-]{0,63}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/;
/** Access key ids, secret keys and session tokens: printable ASCII without spaces. */
const OPAQUE = /^[\x21-\x7e]{1,8192}$/;
/** The earliest expiry of the record's credentials. */
function earliestExpiry(roles) {
    return Math.min(...roles.map((role) => role.credentials.expiration));
}
/** Every role in the record, the `account-id`/`role-name` one first. */
function handedOffRoles(record) {
    return [...(record.role ? [record.role] : []), ...record.profiles];
}
/** Reads a decrypted record field by field; throws MalformedHandoffError for anything else. */
function parseHandoffRecord(text) {
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch {
        throw new MalformedHandoffError('the sealed text is not JSON');
    }
    const record = object(parsed, 'the record');
    if (record.v !== HANDOFF_VERSION)
        throw new MalformedHandoffError('the record has another version');
    const awsRegion = string(record.awsRegion, REGION, 'awsRegion');
    const expiresAt = time(record.expiresAt, 'expiresAt');
    const role = record.role === undefined ? undefined : handedOffRole(record.role, false);
    if (!Array.isArray(record.profiles) || record.profiles.length > 100)
        throw new MalformedHandoffError('profiles is not a list');
    const profiles = record.profiles.map((entry) => handedOffRole(entry, true));
    if (new Set(profiles.map((entry) => entry.profile)).size !== profiles.length)
        throw new MalformedHandoffError('a profile name repeats');
    if (!role && profiles.length === 0)
        throw new MalformedHandoffError('the record holds no role');
    return { ...(role ? { role } : {}), profiles, awsRegion, expiresAt };
}
/** The text that is sealed: the record with its version. */
function serializeHandoffRecord(record) {
    return JSON.stringify({ v: HANDOFF_VERSION, ...record });
}
function handedOffRole(value, named) {
    const entry = object(value, 'a role');
    const credentials = object(entry.credentials, 'credentials');
    const role = {
        accountId: string(entry.accountId, ACCOUNT_ID, 'accountId'),
        roleName: string(entry.roleName, ROLE_NAME, 'roleName'),
        credentials: {
            accessKeyId: string(credentials.accessKeyId, OPAQUE, 'accessKeyId'),
            secretAccessKey: string(credentials.secretAccessKey, OPAQUE, 'secretAccessKey'),
            sessionToken: string(credentials.sessionToken, OPAQUE, 'sessionToken'),
            expiration: time(credentials.expiration, 'expiration')
        }
    };
    if (named)
        role.profile = string(entry.profile, PROFILE_NAME, 'profile');
    return role;
}
function object(value, what) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new MalformedHandoffError(`${what} is not an object`);
    return value;
}
function string(value, shape, what) {
    if (typeof value !== 'string' || !shape.test(value))
        throw new MalformedHandoffError(`${what} has the wrong shape`);
    return value;
}
function time(value, what) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
        throw new MalformedHandoffError(`${what} is not a time`);
    return value;
}

// EXTERNAL MODULE: ./src/time/format.ts
var format = __webpack_require__(6622);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/handoff/binding.ts
// What a hand-off is bound to, read from the runner's environment: the repository and the
// workflow run. These variables are set by the runner, but a step before this one can change them
// for the steps after it (GITHUB_ENV), so they are read as outside input: exactly the shapes GitHub
// gives them, or the step stops with one line. A binding is never guessed: a missing run id would
// bind every run at once.

/** The environment cannot name this run: neither sealing nor opening can go on. */
class HandoffBindingError extends errors/* UserFacingError */.Ui {
    name = 'HandoffBindingError';
}
// GitHub's owner (39 characters) and repository (100) names: letters, digits, - _ and .
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[\w.-]{1,100}$/;
const NUMERIC_ID = /^[1-9]\d{0,19}$/;
function handoffBinding(env = process.env) {
    const repository = env.GITHUB_REPOSITORY ?? '';
    const runId = env.GITHUB_RUN_ID ?? '';
    const repositoryId = env.GITHUB_REPOSITORY_ID ?? '';
    const refuse = (variable, shape) => {
        throw new HandoffBindingError(`The hand-off needs ${variable} as the runner sets it (${shape}), and it is missing or not of that shape; run the action on a GitHub Actions runner and leave ${variable} alone.`);
    };
    if (!REPOSITORY.test(repository))
        refuse('GITHUB_REPOSITORY', 'owner/repo');
    if (!NUMERIC_ID.test(runId))
        refuse('GITHUB_RUN_ID', 'a number');
    if (repositoryId !== '' && !NUMERIC_ID.test(repositoryId))
        refuse('GITHUB_REPOSITORY_ID', 'a number');
    return { repository, runId, ...(repositoryId === '' ? {} : { repositoryId }) };
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/registration/crypto.ts
var registration_crypto = __webpack_require__(3140);
;// CONCATENATED MODULE: ./src/handoff/seal.ts
// The sealed hand-off: a hand-off record (model/handoff.ts) encrypted with AES-256-GCM under a key
// derived from the `handoff-key` input, bound to the repository and the workflow run, and written
// as one line of plain text so that it can travel as a job output.
//
//   h1.<header>.<body>         (each part base64url, no padding)
//   header: {"repository","repositoryId"?,"runId","expiresAt"}  (JSON, in the clear)
//   body:   salt (16) | iv (12) | key check (16) | ciphertext | GCM tag (16)
//
// The header is in the clear so that a value from another repository or run, or an expired one,
// is refused with its own line before any key is derived; it is the GCM additional data, so a
// header changed to fit this run makes the tag fail. The key check is a second value derived from
// the same key: it tells a wrong key apart from an altered value. It gives an attacker nothing the
// tag does not already give (both let a guess be verified offline), which is why the key must carry
// at least 128 bits (inputs.ts checkEncryptionKeyStrength).
//
// The key: scrypt over the input with a fresh salt (as the cache's key, registration/crypto.ts),
// then HKDF-SHA256 with a label of its own, so a passphrase used for both purposes never gives the
// same key twice.
//
// Not a secret without the key, so no mask is registered for it: the runner drops a job output in
// which any masked value appears ("Skip output … since it may contain secret", JobExtension.cs).
// base64url of random bytes cannot hold a long secret except by chance (a 20-character one about
// once in 10^33 values), and sealing checks the value against every secret this step knows and
// seals again with fresh randomness in the unlikely case one appears. A SHORT workflow secret
// (a few characters) is what could still appear: docs/handoff.md explains why and what to do.





const PREFIX = `h${HANDOFF_VERSION}`;
/** HKDF's info: what the key is for, apart from the cache's scrypt key of the same passphrase. */
const PURPOSE = `aws-sso-device-auth handoff v${HANDOFF_VERSION}`;
const SALT = 16;
const IV = 12;
const CHECK = 16;
const TAG = 16;
const HEADER_LIMIT = 1024;
/** Job outputs may be up to 1 MB a job; a hand-off of 100 roles is well under 1 MB. */
const SEALED_LIMIT = 512 * 1024;
/** Fresh randomness tried when a known secret appears in the value by chance. */
const SEAL_ATTEMPTS = 8;
/** The value cannot be opened here; the message is the one line to show. */
class HandoffRefusedError extends errors/* InputError */.dz {
    constructor(message) {
        super('handoff', message);
    }
}
async function sealHandoff(record, key, binding, options) {
    const header = Buffer.from(JSON.stringify({ ...binding, expiresAt: record.expiresAt }), 'utf8');
    const plaintext = Buffer.from(serializeHandoffRecord(record), 'utf8');
    const masked = maskedForms(options.avoid);
    for (let attempt = 0; attempt < SEAL_ATTEMPTS; attempt++) {
        const salt = (0,external_node_crypto_.randomBytes)(SALT);
        const iv = (0,external_node_crypto_.randomBytes)(IV);
        const keys = await deriveKeys(key, salt);
        const cipher = (0,external_node_crypto_.createCipheriv)('aes-256-gcm', keys.encryption, iv, { authTagLength: TAG });
        cipher.setAAD(additionalData(header));
        const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        const body = Buffer.concat([salt, iv, keys.check, ciphertext, cipher.getAuthTag()]);
        const value = `${PREFIX}.${header.toString('base64url')}.${body.toString('base64url')}`;
        if (!masked.some((secret) => value.includes(secret)))
            return value;
    }
    const shortest = Math.min(...options.avoid.filter((secret) => secret !== '').map((secret) => secret.length));
    throw new errors/* UserFacingError */.Ui(`Could not seal the hand-off without a masked value in it (a secret of ${shortest} characters keeps appearing), and the runner would drop such a job output; use longer secrets in this job.`);
}
/**
 * Opens a sealed value in the job that needs it. Everything is checked before anything is
 * returned, each refusal its own line: the format, the repository and run, the expiry, the key,
 * the seal, the record.
 */
async function openHandoff(value, key, binding, now = Date.now()) {
    const parsed = parseSealed(value);
    refuseOtherBinding(parsed.binding, binding);
    if (now >= parsed.expiresAt) {
        throw new HandoffRefusedError(`Input 'handoff' expired at ${(0,format/* isoUtc */.u8)(parsed.expiresAt)}, when the role credentials it holds expire; run the gate job again for a new approval.`);
    }
    const keys = await deriveKeys(key, parsed.salt);
    if (!(0,external_node_crypto_.timingSafeEqual)(keys.check, parsed.check)) {
        throw new HandoffRefusedError("Input 'handoff-key' does not open input 'handoff': the gate job sealed it with another key (or the value was altered); give this job the same handoff-key secret as the gate job.");
    }
    const decipher = (0,external_node_crypto_.createDecipheriv)('aes-256-gcm', keys.encryption, parsed.iv, { authTagLength: TAG });
    decipher.setAAD(additionalData(parsed.header));
    decipher.setAuthTag(parsed.tag);
    let plaintext;
    try {
        plaintext = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
    }
    catch {
        throw altered('its seal does not verify');
    }
    let record;
    try {
        record = parseHandoffRecord(plaintext.toString('utf8'));
    }
    catch (error) {
        if (error instanceof MalformedHandoffError)
            throw altered(error.message);
        throw error;
    }
    // The header's expiry is authenticated now; the record's own must agree with it.
    if (record.expiresAt !== parsed.expiresAt)
        throw altered('its expiry does not match');
    return record;
}
function parseSealed(value) {
    const notHandoff = (problem) => {
        throw new HandoffRefusedError(`Input 'handoff' is not a hand-off sealed by this action (${problem}); pass the gate job's output unchanged, like \${{ needs.gate.outputs.handoff }}.`);
    };
    if (value.length > SEALED_LIMIT)
        notHandoff('too long');
    const parts = value.split('.');
    const version = /^h(\d{1,4})$/.exec(parts[0] ?? '');
    if (parts.length !== 3 || !version)
        notHandoff('not three parts starting with h1');
    if (version[1] !== String(HANDOFF_VERSION)) {
        throw new HandoffRefusedError(`Input 'handoff' has format version ${version[1]}, and this version of the action reads version ${HANDOFF_VERSION}; use the same version of the action in the gate job and in this job.`);
    }
    const [, headerText = '', bodyText = ''] = parts;
    if (!/^[\w-]+$/.test(headerText) || !/^[\w-]+$/.test(bodyText))
        notHandoff('not base64url');
    const header = Buffer.from(headerText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (header.length > HEADER_LIMIT)
        notHandoff('its header is too long');
    if (body.length < SALT + IV + CHECK + 1 + TAG)
        notHandoff('too short');
    const fields = readHeader(header) ?? notHandoff('its header is not one this version writes');
    let at = 0;
    const take = (length) => body.subarray(at, (at += length));
    const salt = take(SALT);
    const iv = take(IV);
    const check = take(CHECK);
    const ciphertext = take(body.length - at - TAG);
    return { header, ...fields, salt, iv, check, ciphertext, tag: take(TAG) };
}
/** The header's fields, of exactly the shapes sealing writes, or undefined. */
function readHeader(header) {
    let parsed;
    try {
        parsed = JSON.parse(header.toString('utf8'));
    }
    catch {
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return undefined;
    const { repository, repositoryId, runId, expiresAt, ...rest } = parsed;
    const id = /^[1-9]\d{0,19}$/;
    if (Object.keys(rest).length > 0)
        return undefined;
    if (typeof repository !== 'string' || !/^[A-Za-z0-9-]{1,39}\/[\w.-]{1,100}$/.test(repository))
        return undefined;
    if (typeof runId !== 'string' || !id.test(runId))
        return undefined;
    if (repositoryId !== undefined && (typeof repositoryId !== 'string' || !id.test(repositoryId)))
        return undefined;
    if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt <= 0)
        return undefined;
    return { binding: { repository, runId, ...(repositoryId === undefined ? {} : { repositoryId }) }, expiresAt };
}
/** Another repository's or run's value: refused before any key is derived. Names only what it checked. */
function refuseOtherBinding(sealed, here) {
    const otherRepository = sealed.repository.toLowerCase() !== here.repository.toLowerCase() ||
        (sealed.repositoryId !== undefined && here.repositoryId !== undefined && sealed.repositoryId !== here.repositoryId) ||
        (sealed.repositoryId === undefined) !== (here.repositoryId === undefined);
    if (otherRepository) {
        throw new HandoffRefusedError(`Input 'handoff' was sealed in another repository (${sealed.repository}) and only opens in the workflow run that sealed it; pass this run's gate job output.`);
    }
    if (sealed.runId !== here.runId) {
        throw new HandoffRefusedError(`Input 'handoff' was sealed in another workflow run (${sealed.runId}, this is ${here.runId}) and only opens in the run that sealed it; pass this run's gate job output, like \${{ needs.gate.outputs.handoff }}.`);
    }
}
function altered(problem) {
    return new HandoffRefusedError(`Input 'handoff' was altered after the gate job sealed it (${problem}); pass the gate job's output unchanged, like \${{ needs.gate.outputs.handoff }}.`);
}
function additionalData(header) {
    return Buffer.concat([Buffer.from(`${PURPOSE}\n`, 'utf8'), header]);
}
async function deriveKeys(key, salt) {
    const master = await (0,registration_crypto/* deriveKey */.Hz)(key, salt);
    const encryption = Buffer.from((0,external_node_crypto_.hkdfSync)('sha256', master, salt, `${PURPOSE} encryption`, 32));
    const check = Buffer.from((0,external_node_crypto_.hkdfSync)('sha256', master, salt, `${PURPOSE} key check`, CHECK));
    return { encryption, check };
}
/**
 * Each secret in the forms the runner's masker also hides (its value encoders, HostContext.cs):
 * as given, each line of it, JSON- and URI-escaped, and base64 of it and of it without its first
 * one or two bytes, in both alphabets, cut to whole 3-byte groups: a shorter needle is the cautious one.
 */
function maskedForms(secrets) {
    const forms = new Set();
    for (const secret of secrets.filter((value) => value !== '')) {
        for (const text of [secret, ...secret.split(/\r?\n/), JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
            if (text !== '')
                forms.add(text);
        }
        const bytes = Buffer.from(secret, 'utf8');
        for (const shift of [0, 1, 2]) {
            // Whole 3-byte groups only: their characters do not depend on what follows.
            const groups = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
            if (groups.length > 0)
                forms.add(groups.toString('base64')).add(groups.toString('base64url'));
        }
    }
    return [...forms];
}

;// CONCATENATED MODULE: ./src/handoff/gate.ts
// The gate's side of the hand-off (part of the export step, `handoff-key`): the credentials of
// every requested role, with account, role, profile name and expiry, sealed for the jobs that need
// this one. The access token stays here: the gate's post step revokes it as without a hand-off.





/** Seals what `access` holds; call before any variable or output is set, like every other part of the export. */
async function sealAccess(access, seal) {
    const record = handoffRecordOf(access, seal.awsRegion);
    const roles = [...(record.role ? [record.role] : []), ...record.profiles];
    const credentialSecrets = roles.flatMap(({ credentials }) => [
        credentials.accessKeyId,
        credentials.secretAccessKey,
        credentials.sessionToken
    ]);
    const sealed = await sealHandoff(record, seal.key, handoffBinding(), { avoid: [...seal.secrets, ...credentialSecrets] });
    core.info(`Sealed the credentials of ${roles.length === 1 ? 'one role' : `${roles.length} roles`} as the handoff output, for the jobs of this run that need this job, valid until ${(0,format/* isoUtc */.u8)(record.expiresAt)}.`);
    return sealed;
}
function handoffRecordOf(access, awsRegion) {
    const role = access.role && { ...access.role.target, credentials: access.role.credentials };
    const profiles = (access.profiles ?? []).map(({ target, credentials }) => ({
        accountId: target.accountId,
        roleName: target.roleName,
        profile: target.profile,
        credentials
    }));
    const roles = [...(role ? [role] : []), ...profiles];
    return {
        ...(role ? { role: { accountId: role.accountId, roleName: role.roleName, credentials: role.credentials } } : {}),
        profiles,
        awsRegion,
        expiresAt: earliestExpiry(roles)
    };
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/export/aws-access.ts + 1 modules
var aws_access = __webpack_require__(7016);
// EXTERNAL MODULE: ./src/export/aws-profiles.ts
var aws_profiles = __webpack_require__(1330);
// EXTERNAL MODULE: ./src/export/marks.ts
var marks = __webpack_require__(9576);
// EXTERNAL MODULE: ./src/model/secrets.ts
var secrets = __webpack_require__(5780);
;// CONCATENATED MODULE: ./src/handoff/open.ts
// The opening job's step (`handoff` with `handoff-key`): asks nobody anything. The sealed value is
// checked (format, repository and run, expiry, key, seal, record), the roles this step asks for
// are picked from it, and only then is anything written: the profiles (recorded for the post step
// first, as the gate records its own), then the variables and outputs, through the same export
// code as the gate (export/), so the job sees exactly what the gate's own later steps would.











async function openHandedOffAccess(inputs, postStep, context) {
    const binding = handoffBinding();
    const record = await openHandoff(inputs.handoff, inputs.handoffKey, binding);
    // Masked before anything else can print them, as the gate masked them when AWS sent them.
    handedOffRoles(record).forEach((role) => (0,secrets/* maskRoleCredentials */.$1)(role.credentials));
    const picked = pickRoles(record, inputs);
    const awsRegion = inputs.awsRegion === '' ? record.awsRegion : inputs.awsRegion;
    const access = {};
    if (picked.role)
        access.role = picked.role;
    if (picked.profiles.length > 0)
        access.files = writeProfiles(picked.profiles, awsRegion, postStep, context);
    (0,aws_access/* exportAwsAccess */.M)(access, { ...inputs, awsRegion });
    const roles = [...(picked.role ? [picked.role] : []), ...picked.profiles];
    const expiresAt = Math.min(...roles.map(({ credentials }) => credentials.expiration));
    core.info(`Opened the hand-off of this run's gate job: ${roles.length === 1 ? 'one role' : `${roles.length} roles`}, valid until ${(0,format/* isoUtc */.u8)(expiresAt)}; nobody was asked again.`);
    // No accessExpiresAt: the record would call it the token's, and this step holds no token.
    return { outcome: 'approved', at: new Date() };
}
/**
 * The roles this step asks for, each one the gate sealed, or one line naming what is missing and
 * what was approved. Nothing asked for: everything, as the gate exported it.
 */
function pickRoles(record, inputs) {
    const asSealed = (role) => ({
        accountId: role.accountId,
        roleName: role.roleName,
        profile: role.profile,
        source: `the gate job's profile ${role.profile}`
    });
    if (!inputs.role && inputs.profiles.length === 0 && inputs.handoffProfile === undefined) {
        return {
            ...(record.role ? { role: { target: record.role, credentials: record.role.credentials } } : {}),
            profiles: record.profiles.map((role) => ({ target: asSealed(role), credentials: role.credentials }))
        };
    }
    const all = handedOffRoles(record);
    const find = (target, asked) => {
        const found = all.find((role) => role.accountId === target.accountId && role.roleName === target.roleName);
        if (!found)
            throw notApproved(`the role ${target.roleName} in account ${target.accountId} (${asked})`, record);
        return found.credentials;
    };
    const picked = { profiles: [] };
    if (inputs.role)
        picked.role = { target: inputs.role, credentials: find(inputs.role, "inputs 'account-id' and 'role-name'") };
    for (const target of inputs.profiles)
        picked.profiles.push({ target, credentials: find(target, target.source) });
    if (inputs.handoffProfile !== undefined) {
        const name = inputs.handoffProfile;
        const found = record.profiles.find((role) => role.profile === name);
        if (!found)
            throw notApproved(`the profile ${name} (input 'profile')`, record);
        picked.profiles.push({ target: asSealed(found), credentials: found.credentials });
    }
    return picked;
}
function notApproved(what, record) {
    const approved = handedOffRoles(record).map((role) => role.profile === undefined ? `${role.accountId}:${role.roleName}` : `${role.accountId}:${role.roleName}=${role.profile}`);
    return new HandoffRefusedError(`Input 'handoff' holds no credentials for ${what}: the gate job sealed only ${approved.join(', ')}; request it in the gate job too, or ask for one of those.`);
}
function writeProfiles(profiles, awsRegion, postStep, context) {
    const home = (0,external_node_os_.homedir)();
    const files = (0,aws_profiles/* writeCredentialProfiles */.D4)({
        profiles,
        tag: (0,aws_profiles/* sessionNameFor */.Vl)(context.runId, (0,external_node_crypto_.randomBytes)(4).toString('hex')),
        awsRegion,
        configFile: (0,aws_profiles/* awsConfigFile */.sy)(process.env, home),
        home,
        note: `role credentials handed off by the aws-sso-device-auth action${context.runUrl ? ` for ${context.runUrl}` : ''}; its post step removes this block`,
        runner: (0,marks/* runnerLabel */.Fx)(),
        beforeWrite: (record) => postStep.update((state) => (state.awsFiles = record)),
        warn: (message) => core.warning(message)
    });
    core.info(`Wrote the AWS profile${files.profiles.length === 1 ? '' : 's'} ${files.profiles.join(', ')} to ${files.configFile}.`);
    return files;
}

;// CONCATENATED MODULE: ./src/handoff/index.ts
// The hand-off's two ends, loaded together with one dynamic import(): the gate's seal and the
// deploy job's opening share the sealed format, so one chunk holds both instead of two copies.




/***/ })

};
