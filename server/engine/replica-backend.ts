import type {
  HostCapacity,
  RegistryAuth,
  Replica,
  ReplicaDetail,
  ReplicaResources,
  ReplicaSpec,
} from '@/server/docker/engine';

/**
 * Where replicas run. The executor acts only through this: Docker on one host today (DockerEngine); a
 * Swarm backend implements the same verbs.
 */
export interface ReplicaBackend {
  listReplicas(filter?: { serviceId?: string }): Promise<Replica[]>;
  inspectReplica(id: string): Promise<ReplicaDetail | null>;
  createReplica(spec: ReplicaSpec): Promise<string>;
  /** Graceful stop, then removal; absent is fine. */
  removeReplica(id: string, stopTimeoutSeconds?: number): Promise<void>;
  updateResources(id: string, resources: ReplicaResources): Promise<void>;
  ensureImage(ref: string, auth?: RegistryAuth): Promise<'present' | 'pulled'>;
  logsTail(id: string, lines?: number): Promise<string>;
  hostCapacity(): Promise<HostCapacity>;
}
