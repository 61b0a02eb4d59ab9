/**
 * Compute pool instance families (AWS), from shared/reference/spcs-model-serving.md §5:
 * vCPU and memory are what a container can use; GPU counts/types from snowflake-ml-python.
 */
export interface InstanceFamily {
  name: string;
  description: string;
  vcpu: number;
  memoryGib: number;
  storageGib: number;
  gpu: string | null;
  gpuCount: number;
  gpuMemoryGib: number;
}

export const INSTANCE_FAMILIES: readonly InstanceFamily[] = [
  {
    name: 'CPU_X64_XS',
    description: 'Smallest instance available for Snowpark Containers',
    vcpu: 1,
    memoryGib: 6,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'CPU_X64_S',
    description: 'Ideal for hosting multiple services/jobs while delivering cost efficiency',
    vcpu: 3,
    memoryGib: 13,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'CPU_X64_M',
    description: 'Ideal for having a full stack application or multiple services',
    vcpu: 6,
    memoryGib: 28,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'CPU_X64_SL',
    description: 'Ideal for applications needing more CPU and memory',
    vcpu: 14,
    memoryGib: 54,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'CPU_X64_L',
    description: 'Largest CPU instance, for parallel or large-memory workloads',
    vcpu: 28,
    memoryGib: 116,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'HIGHMEM_X64_S',
    description: 'High-memory instance for data-intensive applications',
    vcpu: 6,
    memoryGib: 58,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'HIGHMEM_X64_M',
    description: 'High-memory instance for data-intensive applications',
    vcpu: 28,
    memoryGib: 240,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'HIGHMEM_X64_L',
    description: 'Largest high-memory instance',
    vcpu: 124,
    memoryGib: 984,
    storageGib: 100,
    gpu: null,
    gpuCount: 0,
    gpuMemoryGib: 0,
  },
  {
    name: 'GPU_NV_S',
    description: 'Smallest NVIDIA GPU instance, for inference and small models',
    vcpu: 6,
    memoryGib: 27,
    storageGib: 300,
    gpu: 'NVIDIA A10G',
    gpuCount: 1,
    gpuMemoryGib: 24,
  },
  {
    name: 'GPU_NV_M',
    description: 'Optimized for intensive GPU usage: computer vision, LLMs',
    vcpu: 44,
    memoryGib: 178,
    storageGib: 300,
    gpu: 'NVIDIA A10G',
    gpuCount: 4,
    gpuMemoryGib: 24,
  },
  {
    name: 'GPU_NV_L',
    description: 'Largest GPU instance, for specialized and advanced GPU cases',
    vcpu: 92,
    memoryGib: 1112,
    storageGib: 300,
    gpu: 'NVIDIA A100',
    gpuCount: 8,
    gpuMemoryGib: 40,
  },
];

export function findFamily(name: string): InstanceFamily | undefined {
  return INSTANCE_FAMILIES.find((f) => f.name === name.toUpperCase());
}

export const GIB = 1024 ** 3;
