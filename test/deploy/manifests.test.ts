/**
 * The Dockerfile and deploy/kubernetes/ checked against the code: ports, probe paths, entrypoint,
 * flags, mounts and secrets. No container engine or kubectl runs here, so the files are parsed, not
 * built, and the kustomize base and overlays are rendered by test/deploy/kustomize-render.ts. Issue 18
 * changed the layout: the base is one replica on the embedded store (a volume claim), overlays/postgres
 * moves the store to PostgreSQL and overlays/ha runs two replicas with leader election and a
 * PodDisruptionBudget (the earlier assertions of two replicas and a store URL in the base now apply to
 * those overlays).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from '../../src/cli/run.js';
import { render, type Manifest as Rendered } from './kustomize-render.js';
import {
  DEFAULT_PORT,
  GIT_TOKEN_SECRET,
  HEALTH_PATH,
  METRICS_PATH,
  PORT_ENV,
  READY_PATH,
  RUN_VERB,
  SECRETS_DIR_ENV,
  SHUTDOWN_GRACE_MS,
  STORE_URL_ENV,
  WEBHOOK_SECRET_ENV,
} from '../../src/controller/endpoints.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy/kubernetes');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly stage: number;
}

/** Dockerfile instructions (continuation lines joined, comments dropped), with their build stage. */
function dockerfile(): Instruction[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage++;
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), stage });
  }
  return out;
}

type Manifest = { kind: string; metadata: { name: string }; [key: string]: unknown };

function manifests(): Map<string, Manifest[]> {
  const byFile = new Map<string, Manifest[]>();
  for (const file of readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml'))) {
    const docs = parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'));
    for (const doc of docs) expect(doc.errors, file).toEqual([]);
    byFile.set(file, docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null));
  }
  return byFile;
}

/** The Secret example beside the base (examples/): the Secrets the Deployment expects. */
function examples(): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(DEPLOY, 'examples/secret-example.yaml'), 'utf8'));
  return docs.map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

function all(kind: string): Manifest[] {
  return [...manifests().values()].flat().filter((m) => m.kind === kind);
}

/** Manifests are untyped YAML; the assertions below are what narrow them. */
function deployment(manifests: Rendered[] = render(DEPLOY)): any {
  const found = manifests.filter((m) => m.kind === 'Deployment');
  expect(found).toHaveLength(1);
  return found[0];
}

const overlay = (name: string): Rendered[] => render(join(DEPLOY, 'overlays', name));

describe('Dockerfile', () => {
  const lines = dockerfile();
  const final = Math.max(...lines.map((l) => l.stage));

  it('is a multi-stage build on a pinned Node LTS slim base', () => {
    const froms = lines.filter((l) => l.keyword === 'FROM').map((l) => l.args.split(/\s+/)[0]!);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) {
      expect(image).toMatch(/^node:(\d+)\.\d+\.\d+-[a-z]+-slim$/); // a release tag, never latest or a bare major
      const major = Number(/^node:(\d+)/.exec(image)![1]);
      expect(major % 2, `${image} must be an even-numbered (LTS) Node line`).toBe(0);
      expect(major).toBeGreaterThanOrEqual(20);
    }
  });

  it('runs `imesh run` as a non-root user, exposing the default port', () => {
    const runtime = lines.filter((l) => l.stage === final);
    const user = runtime.filter((l) => l.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    const entrypoint = JSON.parse(runtime.find((l) => l.keyword === 'ENTRYPOINT')!.args) as string[];
    const cmd = JSON.parse(runtime.find((l) => l.keyword === 'CMD')!.args) as string[];
    expect(entrypoint.at(-1)).toMatch(/bin\/imesh\.js$/);
    expect(entrypoint[0]).toBe('node');
    expect(cmd[0]).toBe(RUN_VERB);
    expect(runtime.find((l) => l.keyword === 'EXPOSE')?.args).toBe(String(DEFAULT_PORT));
    const env = runtime.filter((l) => l.keyword === 'ENV').map((l) => l.args).join(' ');
    expect(env).toContain(`${PORT_ENV}=${DEFAULT_PORT}`);
    // The runtime image carries what `imesh run --repo` needs: git and ssh.
    expect(runtime.find((l) => l.keyword === 'RUN' && l.args.includes('apt-get install'))?.args).toMatch(/git.*openssh-client|openssh-client.*git/);
    expect(runtime.some((l) => l.keyword === 'COPY' && l.args.includes('schemas'))).toBe(true);
  });

  it('works in the directory the Deployment mounts writable', () => {
    const workdir = lines.filter((l) => l.stage === final && l.keyword === 'WORKDIR').at(-1)!.args;
    const mounts = deployment().spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(mounts).toContain(workdir);
  });
});

describe('deploy/kubernetes', () => {
  it('has the Deployment, ServiceAccount, Service, ConfigMap and volume claim, all listed in kustomization.yaml, and no Secret', () => {
    const files = manifests();
    const kinds = [...files.values()].flat().map((m) => m.kind).sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'Kustomization', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']);
    const kustomization = all('Kustomization')[0] as unknown as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...files.keys()].filter((f) => f !== 'kustomization.yaml').sort());
    expect(render(DEPLOY).map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PersistentVolumeClaim', 'Service', 'ServiceAccount']);
  });

  it('the base: one replica on the embedded store, in the working directory, on the volume claim', () => {
    const manifestsOfBase = render(DEPLOY);
    const d = deployment(manifestsOfBase);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate'); // one process may open the embedded store
    const pod = d.spec.template.spec;
    const [container] = pod.containers;
    expect(container.env.map((e: any) => e.name)).not.toContain(STORE_URL_ENV);
    const workdir = dockerfile().filter((l) => l.keyword === 'WORKDIR').at(-1)!.args;
    const mount = container.volumeMounts.find((m: any) => m.mountPath === workdir);
    const claim = pod.volumes.find((v: any) => v.name === mount.name).persistentVolumeClaim.claimName;
    const pvc = manifestsOfBase.find((m) => m.kind === 'PersistentVolumeClaim') as any;
    expect(pvc.metadata.name).toBe(claim);
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('runs the controller with probes on the code\'s paths and port', () => {
    const d = deployment();
    const pod = d.spec.template.spec;
    const [container] = pod.containers;
    const http = container.ports.find((p: any) => p.name === 'http');
    expect(http.containerPort).toBe(DEFAULT_PORT);
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: 'http' });
    expect(container.env.find((e: any) => e.name === PORT_ENV)?.value).toBe(String(DEFAULT_PORT));
    expect(container.args[0]).toBe(RUN_VERB);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(SHUTDOWN_GRACE_MS);
    expect(d.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(DEFAULT_PORT));
  });

  it('overlays/postgres: the store URL from the runtime Secret, no volume claim, the working directory an emptyDir', () => {
    const rendered = overlay('postgres');
    expect(rendered.map((m) => m.kind)).not.toContain('PersistentVolumeClaim');
    const d = deployment(rendered);
    expect(d.spec.replicas).toBe(1);
    const pod = d.spec.template.spec;
    const [container] = pod.containers;
    const ref = container.env.find((e: any) => e.name === STORE_URL_ENV).valueFrom.secretKeyRef;
    const runtime = examples().find((m) => m.metadata.name === ref.name) as unknown as { stringData: Record<string, string> };
    expect(runtime.stringData[ref.key]).toMatch(/^postgres:\/\//);
    const work = pod.volumes.find((v: any) => v.name === 'work');
    expect(work).toEqual({ name: 'work', emptyDir: { sizeLimit: '1Gi' } });
    // Everything else of the base is kept: the port, the secrets, the other env.
    expect(container.env.map((e: any) => e.name)).toEqual(expect.arrayContaining([PORT_ENV, SECRETS_DIR_ENV, WEBHOOK_SECRET_ENV, STORE_URL_ENV]));
    expect(pod.volumes.map((v: any) => v.name).sort()).toEqual(['secrets', 'tmp', 'work']);
  });

  it('overlays/ha: two replicas on the PostgreSQL store (leader election), spread over nodes, with a PodDisruptionBudget', () => {
    const rendered = overlay('ha');
    const d = deployment(rendered);
    expect(d.spec.replicas).toBe(2);
    const [container] = d.spec.template.spec.containers;
    // imesh run elects a leader (a PostgreSQL advisory lock) whenever its store is PostgreSQL.
    expect(container.env.find((e: any) => e.name === STORE_URL_ENV).valueFrom.secretKeyRef).toBeDefined();
    expect(container.args).toContain('--leader-retry-interval');
    expect(run.help).toContain('--leader-retry-interval ');
    expect(d.spec.strategy.type).toBe('Recreate');
    expect(d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels).toEqual(d.spec.selector.matchLabels);
    const pdb = rendered.find((m) => m.kind === 'PodDisruptionBudget') as any;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.minAvailable).toBeLessThan(d.spec.replicas);
    expect(pdb.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow'); // an unhealthy replica can always go
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    expect(rendered.map((m) => m.kind)).not.toContain('PersistentVolumeClaim');
  });

  it('passes only flags `imesh run` knows, each filled from the ConfigMap', () => {
    const container = deployment().spec.template.spec.containers[0];
    const flags = (container.args as string[]).filter((a) => a.startsWith('--'));
    for (const flag of flags) expect(run.help, flag).toContain(`${flag} `);
    const configMap = all('ConfigMap')[0] as unknown as { metadata: { name: string }; data: Record<string, string> };
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    const env = new Set([...Object.keys(configMap.data), ...container.env.map((e: any) => e.name)]);
    for (const arg of container.args as string[]) {
      for (const [, name] of arg.matchAll(/\$\((\w+)\)/g)) expect(env.has(name!), `${arg} refers to ${name}`).toBe(true);
    }
  });

  it('runs read-only and unprivileged, with writable /tmp and work dir, and resource requests', () => {
    const pod = deployment().spec.template.spec;
    const [container] = pod.containers;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).not.toBe(0);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    const volumes = new Map(pod.volumes.map((v: any) => [v.name, v]));
    const mount = (path: string) => container.volumeMounts.find((m: any) => m.mountPath === path);
    expect((volumes.get(mount('/tmp').name) as any).emptyDir).toBeDefined();
    expect((volumes.get(mount('/var/lib/identity-mesh').name) as any).persistentVolumeClaim).toBeDefined();
  });

  it('mounts the secrets at IMESH_SECRETS_DIR and takes the store URL and webhook secret from a Secret', () => {
    const secrets = examples().filter((m) => m.kind === 'Secret') as unknown as { metadata: { name: string }; stringData: Record<string, string> }[];
    const byName = new Map(secrets.map((s) => [s.metadata.name, s]));
    const pod = deployment().spec.template.spec;
    const [container] = pod.containers;
    const dir = container.env.find((e: any) => e.name === SECRETS_DIR_ENV).value as string;
    const secretMount = container.volumeMounts.find((m: any) => m.mountPath === dir);
    expect(secretMount.readOnly).toBe(true);
    const volume = pod.volumes.find((v: any) => v.name === secretMount.name);
    const mounted = byName.get(volume.secret.secretName);
    expect(mounted).toBeDefined();
    expect(Object.keys(mounted!.stringData)).toContain(GIT_TOKEN_SECRET);
    expect(volume.secret.defaultMode & 0o044).toBe(0o040); // group-readable (fsGroup), not world-readable
    const postgres = deployment(overlay('postgres')).spec.template.spec.containers[0];
    for (const [name, env] of [[STORE_URL_ENV, postgres.env], [WEBHOOK_SECRET_ENV, container.env]] as const) {
      const ref = env.find((e: any) => e.name === name).valueFrom.secretKeyRef;
      expect(Object.keys(byName.get(ref.name)!.stringData)).toContain(ref.key);
    }
  });

  it('gives the Service a port on the container\'s named port, selecting the Deployment\'s pods, with its ServiceAccount', () => {
    const [service] = all('Service') as any[];
    const d = deployment();
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(d.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(d.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(d.spec.template.spec.serviceAccountName).toBe(all('ServiceAccount')[0]!.metadata.name);
  });

  it('the optional ServiceMonitor scrapes the Service\'s port at the metrics path', () => {
    const monitor = parseAllDocuments(readFileSync(join(DEPLOY, 'monitoring/service-monitor.yaml'), 'utf8'))[0]!.toJS() as any;
    const [service] = all('Service') as any[];
    expect(monitor.kind).toBe('ServiceMonitor');
    expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
    expect(service.spec.ports.map((p: any) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.spec.endpoints[0].path).toBe(METRICS_PATH);
    expect(deployment().spec.template.metadata.annotations['prometheus.io/path']).toBe(METRICS_PATH);
  });
});
