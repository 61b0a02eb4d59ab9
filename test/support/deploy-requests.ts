/** The DeployRequest the wizard hands over for the seed's IRIS_CLASSIFIER V1, for tests and the bench. */
import type { DeployRequest } from '../../src/domain/deploy-request.js';

export function irisRequest(serviceName: string): DeployRequest {
  return {
    model: { database: 'ML_DB', schema: 'REGISTRY', name: 'IRIS_CLASSIFIER', version: 'V1' },
    modelHasGpuRuntime: false,
    functions: [
      {
        name: 'PREDICT',
        inputs: ['SEPAL_LENGTH', 'SEPAL_WIDTH', 'PETAL_LENGTH', 'PETAL_WIDTH'].map((name) => ({ name, type: 'FLOAT' })),
        outputs: [{ name: 'CLASS', type: 'TEXT' }],
      },
    ],
    service: { database: 'ML_DB', schema: 'SERVING', name: serviceName },
    pool: { kind: 'existing', name: 'CPU_XS_POOL', instanceFamily: 'CPU_X64_XS', gpu: null, state: 'ACTIVE' },
    maxInstances: 1,
    gpuRequests: null,
    numWorkers: 'auto',
    existingService: 'none',
  };
}
