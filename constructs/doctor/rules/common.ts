import { Json, isRecord } from '../evaluators/k8s-json';
import { ImageFacts, factsOf } from '../image-refs';
import { containersOf, podPullSecretsOf } from '../pods';
import { SparkAppView } from '../spark-apps';
import { RuleTarget } from '../types';
import { DoctorView, IndexedObject } from '../view';

/** The target of a finding about an application. */
export function appTarget(app: SparkAppView): RuleTarget {
  return { construct: app.construct, object: app.object };
}

/** The target of a finding about an object. */
export function objectTarget(o: IndexedObject): RuleTarget {
  return { construct: o.construct, object: o.id };
}

/** A value shown in a message: strings quoted. */
export function q(value: string): string {
  return JSON.stringify(value);
}

/** Where an application uses an `s3a://` URI, if anywhere. */
export function s3aUses(app: SparkAppView): ReadonlyArray<{ field: string; value: string }> {
  return app.uris.filter((u) => /(^|[\s,=])s3a:\/\//.test(u.value));
}

/**
 * What is known about an application's driver and executor images: the SparkImages its
 * construct declares (SparkJob, client-mode driver), else the doctor's declared images, else
 * what an official tag says.
 */
export function appImageFacts(view: DoctorView, app: SparkAppView): { driver?: ImageFacts; executor?: ImageFacts } {
  return view.derivedFor('appImageFacts', app, () => readAppImageFacts(view, app));
}

function readAppImageFacts(view: DoctorView, app: SparkAppView): { driver?: ImageFacts; executor?: ImageFacts } {
  if (app.clientDriver) return { driver: factsOf(app.clientDriver.driverImage), executor: factsOf(app.clientDriver.executorImage) };
  const job = view.sparkJobOf(app.construct);
  if (job) return { driver: factsOf(job.spec.driver.image), executor: factsOf(job.spec.executor.image) };
  return { driver: view.imageFacts(app.driver?.image), executor: view.imageFacts(app.executor.image) };
}

/** One image a pod will pull, with what authenticates the pull. */
export interface ImageUse {
  readonly image: string;
  readonly target: RuleTarget;
  /** Where the image is written, e.g. `spec.template.spec.containers[0].image`. */
  readonly field: string;
  /** Pull secrets of the pod, its ServiceAccount's included. */
  readonly pullSecrets: readonly string[];
}

/**
 * Every image the tree's pods pull: containers of workloads (Deployments, Jobs, ...), and Spark
 * driver and executor images of applications (pod templates' extra containers included).
 */
export function imageUses(view: DoctorView): readonly ImageUse[] {
  return view.derived('imageUses', () => {
    const out: ImageUse[] = [];
    const seen = new Set<string>();
    const add = (use: ImageUse) => {
      const key = `${use.target.construct.node.path}\u0000${use.field}\u0000${use.image}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(use);
    };
    for (const w of view.workloads) {
      const sa = typeof w.pod.spec.serviceAccountName === 'string' ? w.pod.spec.serviceAccountName : 'default';
      const secrets = [...podPullSecretsOf(w.pod.spec), ...view.serviceAccountPullSecrets(w.namespace, sa)];
      for (const c of containersOf(w.pod.spec)) {
        if (typeof c.container.image !== 'string') continue;
        add({ image: c.container.image, target: objectTarget(w.object), field: `${w.pod.field ? `${w.pod.field}.` : ''}spec.${c.field}.image`, pullSecrets: secrets });
      }
    }
    for (const app of view.apps) {
      // One use per image: driver and executors usually share it. A pull needs a secret in
      // every pod that pulls, so the pod with the fewest secrets decides.
      const spark = new Map<string, { roles: string[]; secrets: string[] }>();
      for (const pod of [app.driver, app.executor]) {
        if (!pod) continue;
        const template: Json = pod.template ?? {};
        const secrets = [...app.imagePullSecrets, ...podPullSecretsOf(template), ...view.serviceAccountPullSecrets(app.namespace, pod.serviceAccount)];
        if (pod.image) {
          const seenImage = spark.get(pod.image);
          if (!seenImage) spark.set(pod.image, { roles: [pod.role], secrets });
          else {
            seenImage.roles.push(pod.role);
            if (secrets.length < seenImage.secrets.length) seenImage.secrets = secrets;
          }
        }
        for (const c of containersOf(template)) {
          if (isRecord(c.container) && typeof c.container.image === 'string') {
            add({ image: c.container.image, target: appTarget(app), field: `${pod.templateField ?? `${pod.role} template`}.spec.${c.field}.image`, pullSecrets: secrets });
          }
        }
      }
      for (const [image, { roles, secrets }] of spark) {
        add({ image, target: appTarget(app), field: `${roles.join(' and ')} image`, pullSecrets: secrets });
      }
    }
    return out;
  });
}
