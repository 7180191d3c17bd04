/* Generated from schemas/pool-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */
/* eslint-disable */
// @ts-nocheck -- ajv standalone output
'use strict';
export const validatePoolConfig = validate20;
const schema31 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'pool-config.schema.json',
  title: 'PoolConfig',
  description: "A node-postgres pool configuration file: exactly the runbook's five keys.",
  type: 'object',
  additionalProperties: false,
  required: ['min', 'max', 'idleTimeoutMillis', 'connectionTimeoutMillis', 'acquireTimeoutMillis'],
  properties: {
    min: {
      description: 'Connections kept open (pre-warmed) even when idle.',
      type: 'integer',
      minimum: 0,
      maximum: 10000,
    },
    max: { description: 'Most connections the pool may open.', type: 'integer', minimum: 1, maximum: 10000 },
    idleTimeoutMillis: {
      description: 'How long a connection above min may stay idle before it is closed.',
      type: 'integer',
      minimum: 1,
      maximum: 86400000,
    },
    connectionTimeoutMillis: {
      description: "How long to wait for a new connection's handshake.",
      type: 'integer',
      minimum: 1,
      maximum: 600000,
    },
    acquireTimeoutMillis: {
      description: 'How long a request may wait for a free connection before it fails.',
      type: 'integer',
      minimum: 1,
      maximum: 600000,
    },
  },
};
function validate20(
  data,
  { instancePath = '', parentData, parentDataProperty, rootData = data, dynamicAnchors = {} } = {},
) {
  /*# sourceURL="pool-config.schema.json" */ let vErrors = null;
  let errors = 0;
  const evaluated0 = validate20.evaluated;
  if (evaluated0.dynamicProps) {
    evaluated0.props = undefined;
  }
  if (evaluated0.dynamicItems) {
    evaluated0.items = undefined;
  }
  if (data && typeof data == 'object' && !Array.isArray(data)) {
    if (data.min === undefined) {
      const err0 = {
        instancePath,
        schemaPath: '#/required',
        keyword: 'required',
        params: { missingProperty: 'min' },
        message: "must have required property '" + 'min' + "'",
      };
      if (vErrors === null) {
        vErrors = [err0];
      } else {
        vErrors.push(err0);
      }
      errors++;
    }
    if (data.max === undefined) {
      const err1 = {
        instancePath,
        schemaPath: '#/required',
        keyword: 'required',
        params: { missingProperty: 'max' },
        message: "must have required property '" + 'max' + "'",
      };
      if (vErrors === null) {
        vErrors = [err1];
      } else {
        vErrors.push(err1);
      }
      errors++;
    }
    if (data.idleTimeoutMillis === undefined) {
      const err2 = {
        instancePath,
        schemaPath: '#/required',
        keyword: 'required',
        params: { missingProperty: 'idleTimeoutMillis' },
        message: "must have required property '" + 'idleTimeoutMillis' + "'",
      };
      if (vErrors === null) {
        vErrors = [err2];
      } else {
        vErrors.push(err2);
      }
      errors++;
    }
    if (data.connectionTimeoutMillis === undefined) {
      const err3 = {
        instancePath,
        schemaPath: '#/required',
        keyword: 'required',
        params: { missingProperty: 'connectionTimeoutMillis' },
        message: "must have required property '" + 'connectionTimeoutMillis' + "'",
      };
      if (vErrors === null) {
        vErrors = [err3];
      } else {
        vErrors.push(err3);
      }
      errors++;
    }
    if (data.acquireTimeoutMillis === undefined) {
      const err4 = {
        instancePath,
        schemaPath: '#/required',
        keyword: 'required',
        params: { missingProperty: 'acquireTimeoutMillis' },
        message: "must have required property '" + 'acquireTimeoutMillis' + "'",
      };
      if (vErrors === null) {
        vErrors = [err4];
      } else {
        vErrors.push(err4);
      }
      errors++;
    }
    for (const key0 in data) {
      if (!(
        key0 === 'min' ||
        key0 === 'max' ||
        key0 === 'idleTimeoutMillis' ||
        key0 === 'connectionTimeoutMillis' ||
        key0 === 'acquireTimeoutMillis'
      )) {
        const err5 = {
          instancePath,
          schemaPath: '#/additionalProperties',
          keyword: 'additionalProperties',
          params: { additionalProperty: key0 },
          message: 'must NOT have additional properties',
        };
        if (vErrors === null) {
          vErrors = [err5];
        } else {
          vErrors.push(err5);
        }
        errors++;
      }
    }
    if (data.min !== undefined) {
      let data0 = data.min;
      if (!(typeof data0 == 'number' && !(data0 % 1) && !isNaN(data0) && isFinite(data0))) {
        const err6 = {
          instancePath: instancePath + '/min',
          schemaPath: '#/properties/min/type',
          keyword: 'type',
          params: { type: 'integer' },
          message: 'must be integer',
        };
        if (vErrors === null) {
          vErrors = [err6];
        } else {
          vErrors.push(err6);
        }
        errors++;
      }
      if (typeof data0 == 'number' && isFinite(data0)) {
        if (data0 > 10000 || isNaN(data0)) {
          const err7 = {
            instancePath: instancePath + '/min',
            schemaPath: '#/properties/min/maximum',
            keyword: 'maximum',
            params: { comparison: '<=', limit: 10000 },
            message: 'must be <= 10000',
          };
          if (vErrors === null) {
            vErrors = [err7];
          } else {
            vErrors.push(err7);
          }
          errors++;
        }
        if (data0 < 0 || isNaN(data0)) {
          const err8 = {
            instancePath: instancePath + '/min',
            schemaPath: '#/properties/min/minimum',
            keyword: 'minimum',
            params: { comparison: '>=', limit: 0 },
            message: 'must be >= 0',
          };
          if (vErrors === null) {
            vErrors = [err8];
          } else {
            vErrors.push(err8);
          }
          errors++;
        }
      }
    }
    if (data.max !== undefined) {
      let data1 = data.max;
      if (!(typeof data1 == 'number' && !(data1 % 1) && !isNaN(data1) && isFinite(data1))) {
        const err9 = {
          instancePath: instancePath + '/max',
          schemaPath: '#/properties/max/type',
          keyword: 'type',
          params: { type: 'integer' },
          message: 'must be integer',
        };
        if (vErrors === null) {
          vErrors = [err9];
        } else {
          vErrors.push(err9);
        }
        errors++;
      }
      if (typeof data1 == 'number' && isFinite(data1)) {
        if (data1 > 10000 || isNaN(data1)) {
          const err10 = {
            instancePath: instancePath + '/max',
            schemaPath: '#/properties/max/maximum',
            keyword: 'maximum',
            params: { comparison: '<=', limit: 10000 },
            message: 'must be <= 10000',
          };
          if (vErrors === null) {
            vErrors = [err10];
          } else {
            vErrors.push(err10);
          }
          errors++;
        }
        if (data1 < 1 || isNaN(data1)) {
          const err11 = {
            instancePath: instancePath + '/max',
            schemaPath: '#/properties/max/minimum',
            keyword: 'minimum',
            params: { comparison: '>=', limit: 1 },
            message: 'must be >= 1',
          };
          if (vErrors === null) {
            vErrors = [err11];
          } else {
            vErrors.push(err11);
          }
          errors++;
        }
      }
    }
    if (data.idleTimeoutMillis !== undefined) {
      let data2 = data.idleTimeoutMillis;
      if (!(typeof data2 == 'number' && !(data2 % 1) && !isNaN(data2) && isFinite(data2))) {
        const err12 = {
          instancePath: instancePath + '/idleTimeoutMillis',
          schemaPath: '#/properties/idleTimeoutMillis/type',
          keyword: 'type',
          params: { type: 'integer' },
          message: 'must be integer',
        };
        if (vErrors === null) {
          vErrors = [err12];
        } else {
          vErrors.push(err12);
        }
        errors++;
      }
      if (typeof data2 == 'number' && isFinite(data2)) {
        if (data2 > 86400000 || isNaN(data2)) {
          const err13 = {
            instancePath: instancePath + '/idleTimeoutMillis',
            schemaPath: '#/properties/idleTimeoutMillis/maximum',
            keyword: 'maximum',
            params: { comparison: '<=', limit: 86400000 },
            message: 'must be <= 86400000',
          };
          if (vErrors === null) {
            vErrors = [err13];
          } else {
            vErrors.push(err13);
          }
          errors++;
        }
        if (data2 < 1 || isNaN(data2)) {
          const err14 = {
            instancePath: instancePath + '/idleTimeoutMillis',
            schemaPath: '#/properties/idleTimeoutMillis/minimum',
            keyword: 'minimum',
            params: { comparison: '>=', limit: 1 },
            message: 'must be >= 1',
          };
          if (vErrors === null) {
            vErrors = [err14];
          } else {
            vErrors.push(err14);
          }
          errors++;
        }
      }
    }
    if (data.connectionTimeoutMillis !== undefined) {
      let data3 = data.connectionTimeoutMillis;
      if (!(typeof data3 == 'number' && !(data3 % 1) && !isNaN(data3) && isFinite(data3))) {
        const err15 = {
          instancePath: instancePath + '/connectionTimeoutMillis',
          schemaPath: '#/properties/connectionTimeoutMillis/type',
          keyword: 'type',
          params: { type: 'integer' },
          message: 'must be integer',
        };
        if (vErrors === null) {
          vErrors = [err15];
        } else {
          vErrors.push(err15);
        }
        errors++;
      }
      if (typeof data3 == 'number' && isFinite(data3)) {
        if (data3 > 600000 || isNaN(data3)) {
          const err16 = {
            instancePath: instancePath + '/connectionTimeoutMillis',
            schemaPath: '#/properties/connectionTimeoutMillis/maximum',
            keyword: 'maximum',
            params: { comparison: '<=', limit: 600000 },
            message: 'must be <= 600000',
          };
          if (vErrors === null) {
            vErrors = [err16];
          } else {
            vErrors.push(err16);
          }
          errors++;
        }
        if (data3 < 1 || isNaN(data3)) {
          const err17 = {
            instancePath: instancePath + '/connectionTimeoutMillis',
            schemaPath: '#/properties/connectionTimeoutMillis/minimum',
            keyword: 'minimum',
            params: { comparison: '>=', limit: 1 },
            message: 'must be >= 1',
          };
          if (vErrors === null) {
            vErrors = [err17];
          } else {
            vErrors.push(err17);
          }
          errors++;
        }
      }
    }
    if (data.acquireTimeoutMillis !== undefined) {
      let data4 = data.acquireTimeoutMillis;
      if (!(typeof data4 == 'number' && !(data4 % 1) && !isNaN(data4) && isFinite(data4))) {
        const err18 = {
          instancePath: instancePath + '/acquireTimeoutMillis',
          schemaPath: '#/properties/acquireTimeoutMillis/type',
          keyword: 'type',
          params: { type: 'integer' },
          message: 'must be integer',
        };
        if (vErrors === null) {
          vErrors = [err18];
        } else {
          vErrors.push(err18);
        }
        errors++;
      }
      if (typeof data4 == 'number' && isFinite(data4)) {
        if (data4 > 600000 || isNaN(data4)) {
          const err19 = {
            instancePath: instancePath + '/acquireTimeoutMillis',
            schemaPath: '#/properties/acquireTimeoutMillis/maximum',
            keyword: 'maximum',
            params: { comparison: '<=', limit: 600000 },
            message: 'must be <= 600000',
          };
          if (vErrors === null) {
            vErrors = [err19];
          } else {
            vErrors.push(err19);
          }
          errors++;
        }
        if (data4 < 1 || isNaN(data4)) {
          const err20 = {
            instancePath: instancePath + '/acquireTimeoutMillis',
            schemaPath: '#/properties/acquireTimeoutMillis/minimum',
            keyword: 'minimum',
            params: { comparison: '>=', limit: 1 },
            message: 'must be >= 1',
          };
          if (vErrors === null) {
            vErrors = [err20];
          } else {
            vErrors.push(err20);
          }
          errors++;
        }
      }
    }
  } else {
    const err21 = {
      instancePath,
      schemaPath: '#/type',
      keyword: 'type',
      params: { type: 'object' },
      message: 'must be object',
    };
    if (vErrors === null) {
      vErrors = [err21];
    } else {
      vErrors.push(err21);
    }
    errors++;
  }
  validate20.errors = vErrors;
  return errors === 0;
}
validate20.evaluated = { props: true, dynamicProps: false, dynamicItems: false };
